namespace CacheFrom.Fingerprints;

/// <summary>The image label that carries a stage image's fingerprint, so a later run can compare without pulling.</summary>
internal static class FingerprintLabel
{
    public const string Name = "org.cachefrom.fingerprint";
}
