namespace CacheFrom.Fingerprints;

/// <summary>What a context entry is. <see cref="Special"/>: a FIFO, device or socket (never read).</summary>
internal enum ContextEntryKind
{
    File,
    Directory,
    Symlink,
    Special,
}
