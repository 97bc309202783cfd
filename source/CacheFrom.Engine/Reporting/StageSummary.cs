namespace CacheFrom.Reporting;

/// <summary>One stage in the sum: how many of its instructions hit the cache, and which candidate won.</summary>
public sealed class StageSummary
{
    internal StageSummary(string name, bool isFinal, string? imageReference, string? winner, int cached, int built)
    {
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

    public int CachedInstructions { get; }

    public int BuiltInstructions { get; }
}
