namespace CacheFrom.Fingerprints;

/// <summary>
/// One path of the build context as the builder receives it (after <c>.dockerignore</c>): what
/// a COPY of it puts into a layer, less what no builder keys its cache on (owner, times).
/// </summary>
/// <param name="Path">Context-relative, <c>/</c>-separated, no leading <c>./</c>.</param>
/// <param name="Mode">Permission bits (setuid, setgid, sticky included).</param>
/// <param name="Size">Bytes, for files; 0 otherwise.</param>
/// <param name="LinkTarget">A symlink's target as written; null otherwise.</param>
/// <param name="ContentHash">A file's SHA-256 (hex); null for other kinds and for a file that could not be read.</param>
/// <param name="Error">Why a file could not be read; null when it was.</param>
internal sealed record ContextEntry(string Path, ContextEntryKind Kind, int Mode, long Size, string? LinkTarget, string? ContentHash, string? Error)
{
    private string? _digest;

    /// <summary>The entry's own digest: path, kind, mode, size, link target and content (computed once).</summary>
    public string Digest => _digest ??= Compute();

    private string Compute()
    {
        using var writer = new FingerprintWriter();
        return writer.Add("path", Path)
            .Add("kind", Kind.ToString())
            .Add("mode", Mode)
            .Add("size", Size)
            .Add("link", LinkTarget)
            .Add("content", ContentHash)
            .Finish();
    }
}
