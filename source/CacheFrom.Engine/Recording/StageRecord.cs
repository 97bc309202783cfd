using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>A Dockerfile stage that gets an image of its own: its candidates, the winner, the result.</summary>
public sealed class StageRecord
{
    [JsonConstructor]
    public StageRecord(string name, bool isFinal, string imageReference)
    {
        Name = name;
        IsFinal = isFinal;
        ImageReference = imageReference;
    }

    public string Name { get; }

    public bool IsFinal { get; }

    /// <summary>This build's image of the stage, e.g. <c>app:feature-x--builder</c>.</summary>
    public string ImageReference { get; }

    [JsonInclude]
    public List<CandidateRecord> Candidates { get; internal set; } = [];

    /// <summary>The candidate used as cache, or null (cold).</summary>
    [JsonInclude]
    public string? Winner { get; internal set; }

    [JsonInclude]
    public string? ImageId { get; internal set; }

    /// <summary>This run's fingerprint of the stage (what its result depends on), or null when some input can't be known.</summary>
    [JsonInclude]
    public string? Fingerprint { get; internal set; }

    /// <summary>Why <see cref="Fingerprint"/> is null: the first input that can't be known.</summary>
    [JsonInclude]
    public string? FingerprintUnknown { get; internal set; }

    /// <summary>The fingerprint the winner carries (its <c>org.cachefrom.fingerprint</c> label), or null.</summary>
    [JsonInclude]
    public string? WinnerFingerprint { get; internal set; }

    /// <summary>
    /// The instructions (positions in the stage, <c>FROM</c> = 0) whose layers the winner's BuildKit
    /// inline cache metadata leaves out: BuildKit reuses one only together with a later step it
    /// reuses. Empty when it names every layer; null when unknown (no metadata, not read from a registry, another builder).
    /// </summary>
    [JsonInclude]
    public List<int>? WinnerLeftOut { get; internal set; }

    /// <summary>True once this run's fingerprints were compared with the winner's (ResolveCache).</summary>
    [JsonInclude]
    public bool Compared { get; internal set; }

    /// <summary>Why the stage is not unchanged since its winner was built (its first changed instruction, or no cache, no record, unknowable); null when unchanged or not compared.</summary>
    [JsonInclude]
    public MissExplanation? Change { get; internal set; }

    /// <summary>
    /// The candidate whose inputs equal this run's: the stage was not built and that image stands for it
    /// (docker-cache-skip, docs/fingerprints.md); null when the stage was built.
    /// </summary>
    [JsonInclude]
    public string? SkippedSince { get; internal set; }

    /// <summary>The stage was not built in this run (<see cref="SkippedSince"/>).</summary>
    [JsonIgnore]
    public bool Skipped => SkippedSince is not null;

    /// <summary>This run's fingerprint is known and equals the winner's: the winner was built from exactly these inputs.</summary>
    [JsonIgnore]
    public bool InputsUnchanged => Fingerprint is not null && Fingerprint == WinnerFingerprint;
}
