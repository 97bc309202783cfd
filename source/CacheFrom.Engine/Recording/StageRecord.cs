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
}
