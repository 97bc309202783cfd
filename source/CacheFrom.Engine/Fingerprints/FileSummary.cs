using System.Text.Json.Serialization;

namespace CacheFrom.Fingerprints;

/// <summary>
/// The context files an instruction took, small enough to keep with the cache and still name what
/// changed: every path with a short hash when they are few; for a large copy, the directories that
/// hold most of them as one hash each (<c>src/lib/</c>: that directory and everything below it),
/// split from the top down as long as <see cref="MaxGroups"/> allows, so a change can still be
/// traced to the smallest directory the summary kept.
/// </summary>
internal sealed class FileSummary
{
    /// <summary>Paths or directory groups kept per instruction.</summary>
    public const int MaxGroups = 64;

    /// <summary>The key of the group that stands for every path (a copy too large to split at all).</summary>
    public const string Everything = "/";

    [JsonConstructor]
    public FileSummary(int count, SortedDictionary<string, string> groups)
    {
        Count = count;
        Groups = groups;
    }

    /// <summary>How many entries (files, directories, links) the instruction took.</summary>
    public int Count { get; }

    /// <summary>Path → short hash of the entry; <c>dir/</c> → short hash of the directory and all below it; <see cref="Everything"/> → of all.</summary>
    public SortedDictionary<string, string> Groups { get; }

    public static FileSummary Of(IReadOnlyList<ContextEntry> entries, int maxGroups = MaxGroups)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var groups = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (entries.Count <= maxGroups)
        {
            foreach (var entry in entries)
                groups[entry.Path] = FingerprintWriter.Short(entry.Digest);
            return new FileSummary(entries.Count, groups);
        }

        // Split the largest directory group into its children while the budget holds.
        var open = new List<Group> { new(Everything, "", [.. entries]) };
        var done = new List<(string Key, string Hash)>();
        while (true)
        {
            var candidates = open.Where(g => g.Members.Count > 1).OrderByDescending(g => g.Members.Count).ToList();
            var split = false;
            foreach (var group in candidates)
            {
                var (own, children) = group.Split;
                var after = done.Count + open.Count - 1 + children.Count + (own is null ? 0 : 1);
                if (after > maxGroups)
                    continue;
                open.Remove(group);
                if (own is not null)
                    done.Add((own.Path, FingerprintWriter.Short(own.Digest)));
                foreach (var child in children)
                {
                    if (child.Members.Count == 1 && child.Members[0].Path == child.Directory)
                        done.Add((child.Directory, FingerprintWriter.Short(child.Members[0].Digest)));
                    else
                        open.Add(child);
                }

                split = true;
                break;
            }

            if (!split)
                break;
        }

        foreach (var (key, hash) in done)
            groups[key] = hash;
        foreach (var group in open)
            groups[group.Key] = FingerprintWriter.Short(HashOf(group.Members));
        return new FileSummary(entries.Count, groups);
    }

    /// <summary>Whether <paramref name="path"/> belongs to the group <paramref name="key"/>.</summary>
    public static bool InGroup(string key, string path)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(path);
        if (key == Everything)
            return true;
        if (!key.EndsWith('/'))
            return key == path;
        var directory = key[..^1];
        return path == directory || path.StartsWith(key, StringComparison.Ordinal);
    }

    /// <summary>The short hash a group of entries (in path order) gets, the same way it was kept.</summary>
    public static string GroupHash(string key, IReadOnlyList<ContextEntry> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return !key.EndsWith('/') && members.Count == 1 ? FingerprintWriter.Short(members[0].Digest) : FingerprintWriter.Short(HashOf(members));
    }

    /// <summary>The digest of a set of entries: every entry's own digest, in path order.</summary>
    public static string HashOf(IEnumerable<ContextEntry> entries)
    {
        using var writer = new FingerprintWriter();
        var count = 0;
        foreach (var entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            writer.Add("entry", entry.Digest);
            count++;
        }

        return writer.Add("count", count).Finish();
    }

    // The group's directory entry itself (if taken), and one group per child: a file, or a directory and all below it.
    private static (ContextEntry? Own, List<Group> Children) Children(Group group)
    {
        ContextEntry? own = null;
        var children = new SortedDictionary<string, List<ContextEntry>>(StringComparer.Ordinal);
        var prefix = group.Directory.Length == 0 ? "" : group.Directory + "/";
        foreach (var entry in group.Members)
        {
            if (entry.Path == group.Directory)
            {
                own = entry;
                continue;
            }

            var rest = entry.Path[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var child = prefix + (slash < 0 ? rest : rest[..slash]);
            if (!children.TryGetValue(child, out var list))
                children[child] = list = [];
            list.Add(entry);
        }

        return (own, children.Select(c => new Group(c.Key + "/", c.Key, c.Value)).ToList());
    }

    private sealed record Group(string Key, string Directory, List<ContextEntry> Members)
    {
        private (ContextEntry? Own, List<Group> Children)? _split;

        /// <summary>Computed once: a group too wide to split now stays too wide.</summary>
        public (ContextEntry? Own, List<Group> Children) Split => _split ??= Children(this);
    }
}
