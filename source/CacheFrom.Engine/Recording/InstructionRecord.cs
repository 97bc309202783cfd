using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>One Dockerfile instruction of one build: cached or built, and how long it took.</summary>
public sealed class InstructionRecord
{
    [JsonConstructor]
    public InstructionRecord(string stage, string text, bool cached, TimeSpan duration, PipelineStep builtIn)
    {
        Stage = stage;
        Text = text;
        Cached = cached;
        Duration = duration;
        BuiltIn = builtIn;
    }

    public string Stage { get; }

    /// <summary>The instruction as the builder printed it, e.g. <c>RUN bundle install</c>.</summary>
    public string Text { get; }

    public bool Cached { get; }

    public TimeSpan Duration { get; }

    /// <summary>False for <c>FROM</c>, which is neither a cache hit nor built work (the sum leaves it out).</summary>
    [JsonIgnore]
    public bool IsWork => RunInstructions.Counts(this);

    /// <summary>Which build step reported it (a stage can be rebuilt, cached, by the final build).</summary>
    public PipelineStep BuiltIn { get; }

    /// <summary>
    /// Not run by any builder: its stage was skipped (inputs unchanged since the cache image was built),
    /// so it counts as a cache hit that took no time.
    /// </summary>
    [JsonInclude]
    public bool Skipped { get; internal set; }

    /// <summary>Cold duration from cache history (for a cached instruction), or null when unknown.</summary>
    [JsonInclude]
    public TimeSpan? ColdDuration { get; internal set; }

    /// <summary>For a built instruction: why it missed the cache, from the fingerprints; null for a cached one or when nothing could tell.</summary>
    [JsonInclude]
    public MissExplanation? Miss { get; internal set; }
}
