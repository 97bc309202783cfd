using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>One step of a run: when, how long, what it moved, how it ended.</summary>
public sealed class StepRecord
{
    [JsonConstructor]
    public StepRecord(PipelineStep step)
    {
        Step = step;
    }

    public PipelineStep Step { get; }

    [JsonInclude]
    public DateTimeOffset StartedAt { get; internal set; }

    [JsonInclude]
    public TimeSpan Duration { get; internal set; }

    [JsonInclude]
    public StepOutcome Outcome { get; internal set; }

    /// <summary>Why it was skipped or degraded, or the failure; never holds a secret.</summary>
    [JsonInclude]
    public string? Message { get; internal set; }

    [JsonInclude]
    public long BytesPulled { get; internal set; }

    [JsonInclude]
    public long BytesPushed { get; internal set; }

    [JsonInclude]
    public long BytesLoaded { get; internal set; }

    [JsonInclude]
    public long BytesSaved { get; internal set; }
}
