namespace CacheFrom.Retention;

/// <summary>What a prune item is.</summary>
public enum PruneItemKind
{
    /// <summary>A cache-only tag in the registry (<c>TAG--STAGE</c>, <c>TAG--cachefrom-history</c>).</summary>
    RegistryTag,

    /// <summary>A file in the tarball store.</summary>
    Tarball,
}
