namespace CacheFrom.Retention;

/// <summary>A cache-only tag or tarball PruneCache looked at and keeps, and why.</summary>
public sealed record KeptItem(PruneItemKind Kind, string Name, string Reason);
