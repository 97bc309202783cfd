namespace CacheFrom.Retention;

/// <summary>
/// One thing PruneCache deletes (or, in a dry run, would delete): a registry tag or a tarball, its
/// size and when its branch's cache was last written. Tags that share a manifest share one
/// <see cref="Digest"/> and count its <see cref="Bytes"/> once.
/// </summary>
/// <param name="Name"><c>REPO:TAG</c>, or the tarball's path.</param>
/// <param name="Bytes">A tag: the compressed size of the config and layers its manifest references (layers other images share
/// are freed only when nothing references them, by the registry's garbage collection); a tarball: its length.</param>
/// <param name="LastWritten">When its branch's cache was last written (tag), or the file was (tarball).</param>
/// <param name="Digest">A tag's manifest digest; null for a tarball.</param>
public sealed record PruneItem(PruneItemKind Kind, string Name, long Bytes, DateTimeOffset LastWritten, string? Digest = null)
{
    /// <summary>True once deleted; false in a dry run, or when the delete failed.</summary>
    public bool Deleted { get; internal set; }
}
