namespace CacheFrom.Retention;

/// <summary>What one PruneCache found: what goes (or would go, in a dry run) and what it keeps among the cache-only items.</summary>
public sealed class PruneResult
{
    internal PruneResult(bool dryRun, TimeSpan ttl, DateTimeOffset cutoff, IReadOnlyList<PruneItem> items, IReadOnlyList<KeptItem> kept)
    {
        DryRun = dryRun;
        Ttl = ttl;
        Cutoff = cutoff;
        Items = items;
        Kept = kept;
    }

    /// <summary>True unless docker-prune-apply was given: nothing was deleted.</summary>
    public bool DryRun { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Caches last written before this are stale.</summary>
    public DateTimeOffset Cutoff { get; }

    /// <summary>What goes (tags first, then tarballs).</summary>
    public IReadOnlyList<PruneItem> Items { get; }

    /// <summary>Cache-only items that are kept: this tag's and the fallbacks', fresh ones, undated ones, shared manifests.</summary>
    public IReadOnlyList<KeptItem> Kept { get; }

    /// <summary>The bytes of what goes, each manifest and tarball counted once.</summary>
    public long Bytes =>
        Items.Where(i => i.Digest is null).Sum(i => i.Bytes)
        + Items.Where(i => i.Digest is not null).GroupBy(i => i.Digest).Sum(g => g.First().Bytes);
}
