using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>One candidate cache image of a stage and what the existence check found.</summary>
public sealed class CandidateRecord
{
    [JsonConstructor]
    public CandidateRecord(string reference, string source)
    {
        Reference = reference;
        Source = source;
    }

    /// <summary>Full reference, e.g. <c>127.0.0.1:5000/app:main--builder</c>.</summary>
    public string Reference { get; }

    /// <summary><c>registry</c> or <c>tarball</c>.</summary>
    public string Source { get; }

    [JsonInclude]
    public bool Exists { get; internal set; }

    [JsonInclude]
    public TimeSpan CheckDuration { get; internal set; }

    /// <summary>Why the check could not tell (registry down, auth), or null.</summary>
    [JsonInclude]
    public string? Error { get; internal set; }
}
