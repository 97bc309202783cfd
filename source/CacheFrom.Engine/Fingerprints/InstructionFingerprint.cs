using System.Text.Json.Serialization;

namespace CacheFrom.Fingerprints;

/// <summary>
/// One instruction of a stage: its fingerprint (its own inputs chained onto the previous
/// instruction's fingerprint, like BuildKit's cache keys), or why it cannot have one.
/// </summary>
internal sealed class InstructionFingerprint
{
    /// <summary>Position in the stage, <c>FROM</c> = 0.</summary>
    public int Index { get; init; }

    public int Line { get; init; }

    public string Keyword { get; init; } = "";

    /// <summary>The instruction as written, whitespace collapsed (what the classic builder prints).</summary>
    public string Text { get; init; } = "";

    /// <summary>As BuildKit names its step: ARG and ENV values substituted, whitespace collapsed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StepName { get; init; }

    /// <summary><c>sha256:…</c>; null when the inputs can't be known (<see cref="Unknown"/> says why).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Fingerprint { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unknown { get; init; }

    public InstructionInputs Inputs { get; init; } = new();

    /// <summary>This run against the winner's record (set by the comparison): what changed, null when nothing did. Not kept in history.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Recording.MissExplanation? Change { get; set; }

    /// <summary>
    /// The same, as the cache history keeps it: no step name, no comparison, a short fingerprint
    /// (enough to tell which step changed; only a stage's full fingerprint decides anything).
    /// </summary>
    public InstructionFingerprint ForHistory() => new()
    {
        Index = Index,
        Line = Line,
        Keyword = Keyword,
        Text = Text,
        Fingerprint = Fingerprint is null ? null : FingerprintWriter.Short(Fingerprint),
        Unknown = Unknown,
        Inputs = Inputs,
    };
}
