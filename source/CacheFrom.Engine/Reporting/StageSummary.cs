namespace CacheFrom.Reporting;

/// <summary>One stage in the sum: how many of its instructions hit the cache, and which candidate won.</summary>
public sealed class StageSummary
{
    internal StageSummary(string name, bool isFinal, string? imageReference, string? winner, int cached, int built, string? skippedSince = null)
    {
        SkippedSince = skippedSince;
        Name = name;
        IsFinal = isFinal;
        ImageReference = imageReference;
        Winner = winner;
        CachedInstructions = cached;
        BuiltInstructions = built;
    }

    public string Name { get; }

    public bool IsFinal { get; }

    /// <summary>This build's image of the stage, or null for a stage that gets no image of its own.</summary>
    public string? ImageReference { get; }

    /// <summary>The candidate used as cache, or null (cold, or a stage without candidates).</summary>
    public string? Winner { get; }

    /// <summary>The candidate the stage was not built against: its inputs are unchanged since it was built (docker-cache-skip); null when built.</summary>
    public string? SkippedSince { get; }

    /// <summary>What the reports say of a skipped stage; null when it was built.</summary>
    public string? SkipNote => SkippedSince is null ? null : $"skipped: inputs unchanged since {SkippedSince}";

    public int CachedInstructions { get; }

    public int BuiltInstructions { get; }
}
