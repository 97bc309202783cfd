using System.Diagnostics;
using System.IO.Enumeration;
using System.Security.Cryptography;
using CacheFrom.BuildContext;

namespace CacheFrom.Fingerprints;

/// <summary>
/// The build context as the builder receives it, walked once per run: every path
/// <c>.dockerignore</c> leaves in, with its type, permission bits, size, symlink target and (for
/// files) SHA-256 of its content, hashed in parallel and streamed. Modification times and owners
/// are left out, as the builders' cache keys leave them out: two checkouts of the same files index
/// alike. Everything later in the run (COPY sources, bind mounts) asks this, not the disk.
/// </summary>
internal sealed class ContextIndex
{
    private const int MaxLinkHops = 40;
    private const int HashBufferSize = 128 * 1024;

    private readonly ContextEntry[] _entries;
    private readonly Dictionary<string, int> _byPath;

    private ContextIndex(string root, ContextEntry[] entries, TimeSpan elapsed)
    {
        Root = root;
        _entries = entries;
        _byPath = new Dictionary<string, int>(entries.Length, StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
            _byPath[entries[i].Path] = i;
        Elapsed = elapsed;
    }

    public string Root { get; }

    /// <summary>Every entry, ordered by path (ordinal): the entries under a directory are contiguous.</summary>
    public IReadOnlyList<ContextEntry> Entries => _entries;

    public int FileCount => _entries.Count(e => e.Kind == ContextEntryKind.File);

    public long TotalBytes => _entries.Sum(e => e.Size);

    /// <summary>How long the walk and the hashing took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Walks <paramref name="root"/> once, leaving out what <paramref name="ignore"/> excludes, and hashes every file.</summary>
    public static async Task<ContextIndex> BuildAsync(string root, DockerIgnore ignore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(ignore);
        var full = Path.GetFullPath(root);
        var started = Stopwatch.GetTimestamp();
        var found = Walk(full, ignore, cancellationToken);
        var entries = new ContextEntry[found.Count];
        var fileIndexes = new List<int>();
        for (var i = 0; i < found.Count; i++)
        {
            if (found[i].Kind == ContextEntryKind.File)
                fileIndexes.Add(i);
            else
                entries[i] = found[i].ToEntry(null, null);
        }

        // Small files are the common case and cost an open each: spread them over every core.
        await Task.Run(
            () => Parallel.ForEach(
                fileIndexes,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
                () => new byte[HashBufferSize],
                (index, _, buffer) =>
                {
                    var draft = found[index];
                    var (hash, error) = Hash(Path.Combine(full, draft.Path), buffer);
                    entries[index] = draft.ToEntry(hash, error);
                    return buffer;
                },
                _ => { }),
            cancellationToken).ConfigureAwait(false);

        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new ContextIndex(full, entries, Stopwatch.GetElapsedTime(started));
    }

    public ContextEntry? Find(string path) => _byPath.TryGetValue(path, out var index) ? _entries[index] : null;

    /// <summary>The entries strictly below <paramref name="directory"/> ("" for the whole context), in path order.</summary>
    public IEnumerable<ContextEntry> Under(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (directory.Length == 0)
        {
            foreach (var entry in _entries)
                yield return entry;
            yield break;
        }

        var prefix = directory + "/";
        var start = LowerBound(prefix);
        for (var i = start; i < _entries.Length && _entries[i].Path.StartsWith(prefix, StringComparison.Ordinal); i++)
            yield return _entries[i];
    }

    /// <summary>Whether the path is a directory of the context: indexed as one, or (excluded itself) holding re-included entries.</summary>
    public bool IsDirectory(string path) =>
        path.Length == 0 || Find(path)?.Kind == ContextEntryKind.Directory || (Find(path) is null && Under(path).Any());

    /// <summary>
    /// What a COPY/ADD source (or a bind mount's <c>source</c>) takes from the context: the matched
    /// paths (Go's <c>filepath.Match</c> for wildcards), everything below a matched directory, and
    /// the target of a matched symlink (the builders follow a source's links). Sorted, distinct.
    /// <paramref name="problem"/> says why the result cannot stand for what the builder takes (a
    /// malformed pattern, an unreadable file); a source that matches nothing is an empty list.
    /// </summary>
    public IReadOnlyList<ContextEntry> Resolve(string source, bool allowWildcards, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(source);
        problem = null;
        var path = Clean(source);
        var taken = new SortedDictionary<string, ContextEntry>(StringComparer.Ordinal);
        if (allowWildcards && GoPathPattern.HasWildcards(path))
        {
            var pattern = GoPathPattern.Compile(path);
            if (pattern is null)
            {
                problem = $"'{source}' is not a valid pattern (Go's filepath.Match refuses it, so the builder will too)";
                return [];
            }

            foreach (var candidate in Paths().Where(pattern.IsMatch).ToList())
                Take(candidate, taken, 0, ref problem);
        }
        else
        {
            Take(path, taken, 0, ref problem);
        }

        return [.. taken.Values];
    }

    /// <summary>Go's <c>filepath.Clean</c> of a source, relative to the context root (which nothing escapes), <c>""</c> for the root.</summary>
    public static string Clean(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var segments = new List<string>();
        foreach (var segment in source.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count > 0)
                    segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return string.Join('/', segments);
    }

    private void Take(string path, SortedDictionary<string, ContextEntry> taken, int hops, ref string? problem)
    {
        var (real, links) = Follow(path, hops);
        foreach (var link in links)
            taken.TryAdd(link.Path, link);
        if (real is null)
        {
            problem ??= $"'{path}' follows more than {MaxLinkHops} symlinks";
            return;
        }

        if (Find(real) is { } entry)
        {
            taken.TryAdd(entry.Path, entry);
            problem ??= entry.Error is null ? null : $"{entry.Path}: {entry.Error}";
            if (entry.Kind == ContextEntryKind.Symlink)
            {
                Take(Target(entry), taken, hops + 1, ref problem);
                return;
            }
        }

        foreach (var below in Under(real))
        {
            taken.TryAdd(below.Path, below);
            problem ??= below.Error is null ? null : $"{below.Path}: {below.Error}";
        }
    }

    /// <summary>The path with every symlink among its parent directories resolved inside the context, and the links passed.</summary>
    private (string? Real, List<ContextEntry> Links) Follow(string path, int hops)
    {
        var links = new List<ContextEntry>();
        var segments = path.Length == 0 ? [] : path.Split('/').ToList();
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var prefix = string.Join('/', segments.Take(i + 1));
            if (Find(prefix) is not { Kind: ContextEntryKind.Symlink } link)
                continue;
            if (++hops > MaxLinkHops)
                return (null, links);
            links.Add(link);
            var rest = segments.Skip(i + 1);
            segments = Clean(Target(link) + "/" + string.Join('/', rest)).Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
            i = -1;
        }

        return (string.Join('/', segments), links);
    }

    // Builders resolve a link inside the context: an absolute target from its root, a relative one from the link's directory.
    private static string Target(ContextEntry link)
    {
        var target = link.LinkTarget ?? "";
        if (target.StartsWith('/'))
            return Clean(target);
        var slash = link.Path.LastIndexOf('/');
        return Clean((slash < 0 ? "" : link.Path[..slash] + "/") + target);
    }

    /// <summary>Indexed paths, and the directories above them that are not indexed themselves (excluded, with re-included entries).</summary>
    private IEnumerable<string> Paths()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _entries)
        {
            for (var slash = entry.Path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = entry.Path.IndexOf('/', slash + 1))
            {
                var parent = entry.Path[..slash];
                if (!_byPath.ContainsKey(parent) && seen.Add(parent))
                    yield return parent;
            }

            yield return entry.Path;
        }
    }

    private int LowerBound(string path)
    {
        int low = 0, high = _entries.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(_entries[middle].Path, path) < 0)
                low = middle + 1;
            else
                high = middle;
        }

        return low;
    }

    private static List<Draft> Walk(string root, DockerIgnore ignore, CancellationToken cancellationToken)
    {
        var found = new List<Draft>();
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = pending.Pop();
            List<string> names;
            try
            {
                names = [.. new FileSystemEnumerable<string>(
                    relative.Length == 0 ? root : Path.Combine(root, relative),
                    (ref FileSystemEntry entry) => entry.FileName.ToString(),
                    new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false })];
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The builder cannot send what it cannot list either; whatever copies it is unknowable.
                if (relative.Length > 0)
                    found.Add(new Draft(relative, ContextEntryKind.Directory, 0, 0, null) { Error = "cannot be listed: " + exception.Message });
                continue;
            }

            foreach (var name in names)
            {
                var path = relative.Length == 0 ? name : relative + "/" + name;
                var full = Path.Combine(root, path);
                if (FileStatus.Of(full) is not { } status)
                    continue; // vanished since the listing
                var excluded = ignore.IsExcluded(path);
                if (status.Kind == ContextEntryKind.Directory)
                {
                    if (!excluded)
                        found.Add(new Draft(path, status.Kind, status.Mode, 0, null));
                    if (!excluded || !ignore.CanSkipDirectory(path))
                        pending.Push(path);
                }
                else if (!excluded)
                {
                    var target = status.Kind == ContextEntryKind.Symlink ? new FileInfo(full).LinkTarget : null;
                    found.Add(new Draft(path, status.Kind, status.Mode, status.Size, target));
                }
            }
        }

        return found;
    }

    private static (string? Hash, string? Error) Hash(string path, byte[] buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            var read = RandomAccess.Read(handle, buffer, 0);
            if (read < buffer.Length)
                return (Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, read))), null);

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long offset = 0;
            while (read > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
                read = RandomAccess.Read(handle, buffer, offset);
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, "cannot be read: " + exception.Message);
        }
    }

    private sealed record Draft(string Path, ContextEntryKind Kind, int Mode, long Size, string? LinkTarget)
    {
        public string? Error { get; init; }

        public ContextEntry ToEntry(string? hash, string? error) => new(Path, Kind, Mode, Size, LinkTarget, hash, Error ?? error);
    }
}
