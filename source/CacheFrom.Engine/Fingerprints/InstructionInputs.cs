using System.Text.Json.Serialization;

namespace CacheFrom.Fingerprints;

/// <summary>
/// What one instruction's own result depends on, as kept with the cache to explain a miss later:
/// short hashes only, never a build arg's value.
/// </summary>
internal sealed class InstructionInputs
{
    /// <summary>Short hash of all of the instruction's own inputs (everything below together).</summary>
    public string Own { get; init; } = "";

    /// <summary>Short hash of the instruction as written, flags and heredoc bodies included.</summary>
    public string Text { get; init; } = "";

    /// <summary>Build args it sees: name → short hash of the value, null when declared without one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, string?>? Args { get; init; }

    /// <summary>For <c>FROM</c>: the base image's digest (or <c>scratch</c>, or the stage's fingerprint).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Base { get; init; }

    /// <summary>Stages and images it reads from (<c>stage:builder</c>, <c>image:alpine:3</c>) → short fingerprint or digest.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, string>? Sources { get; init; }

    /// <summary>The context files it took (COPY/ADD sources, bind mounts).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FileSummary? Files { get; init; }
}
