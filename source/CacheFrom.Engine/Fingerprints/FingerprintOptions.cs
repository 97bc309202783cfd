using CacheFrom.Configuration;

namespace CacheFrom.Fingerprints;

/// <summary>What a run's fingerprints depend on besides the Dockerfile, the context and the images it names.</summary>
internal sealed record FingerprintOptions(BuilderKind Builder, string Platform, IReadOnlyDictionary<string, string> BuildArgs)
{
    /// <summary>Bumped when what a fingerprint covers changes, so older fingerprints never match newer ones.</summary>
    public const string Scheme = "cachefrom-fingerprint/1";
}
