using System.Text.Json.Serialization;

namespace CacheFrom.Fingerprints;

/// <summary>
/// A stage's fingerprint (its last instruction's) with every instruction's, as a run computed them
/// and as the cache history keeps them for the stage image that carries <see cref="Fingerprint"/>
/// in its <see cref="FingerprintLabel.Name"/> label.
/// </summary>
internal sealed class StageFingerprint
{
    /// <summary>The stage as the report names it (<c>builder</c>, <c>final</c>).</summary>
    public string Stage { get; init; } = "";

    /// <summary>Null when some input can't be known (<see cref="Unknown"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Fingerprint { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unknown { get; init; }

    /// <summary><c>BuildKit</c> or <c>Classic</c>.</summary>
    public string Builder { get; init; } = "";

    /// <summary>The target platform, e.g. <c>linux/amd64</c>.</summary>
    public string Platform { get; init; } = "";

    /// <summary>Short hash of the parser directives (<c># syntax=</c>, <c># escape=</c>), or null when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Directives { get; init; }

    /// <summary>When a run computed it (history: the newest run that built or matched it).</summary>
    public DateTimeOffset RecordedAt { get; init; }

    public IReadOnlyList<InstructionFingerprint> Instructions { get; init; } = [];

    /// <summary>The same, as the cache history keeps it (<see cref="InstructionFingerprint.ForHistory"/>), recorded at <paramref name="at"/>.</summary>
    public StageFingerprint ForHistory(DateTimeOffset at) => new()
    {
        Stage = Stage,
        Fingerprint = Fingerprint,
        Unknown = Unknown,
        Builder = Builder,
        Platform = Platform,
        Directives = Directives,
        RecordedAt = at,
        Instructions = Instructions.Select(i => i.ForHistory()).ToList(),
    };
}
