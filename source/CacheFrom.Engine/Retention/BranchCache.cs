using CacheFrom.History;
using CacheFrom.References;

namespace CacheFrom.Retention;

/// <summary>
/// The cache-only tags of one branch tag: its stage images (<c>TAG--STAGE</c>) and its history
/// (<c>TAG--cachefrom-history</c>). A tag without <see cref="StageTagScheme.Separator"/> is a final
/// image and never belongs to one. A stage tag cut to the tag length limit (<c>TAGPART-HASH--STAGE</c>)
/// is matched to its branch when that branch's tag is known; otherwise it forms a group of its own.
/// </summary>
internal sealed record BranchCache(string Branch, IReadOnlyList<string> Tags)
{
    /// <summary>This branch's history artifact tag, when the registry has one.</summary>
    public string? HistoryTag => Tags.FirstOrDefault(t => t == StageTagScheme.StageTag(Branch, CacheHistoryStore.HistoryStage));

    /// <summary>The stage image tags (everything but the history).</summary>
    public IEnumerable<string> StageTags => Tags.Where(t => t != HistoryTag);

    /// <summary>True for a cache-only tag: a stage image or a history, never a final image.</summary>
    public static bool IsCacheOnly(string tag) => tag.Contains(StageTagScheme.Separator, StringComparison.Ordinal);

    /// <summary>
    /// Groups the repository's cache-only tags by branch. <paramref name="knownBranches"/> are the
    /// branch tags a cut stage tag may belong to (the repository's final tags, this tag, the fallbacks).
    /// </summary>
    public static IReadOnlyList<BranchCache> Group(IEnumerable<string> tags, IEnumerable<string> knownBranches)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var branches = knownBranches.ToHashSet(StringComparer.Ordinal);
        return tags.Where(IsCacheOnly)
            .Distinct(StringComparer.Ordinal)
            .GroupBy(tag => BranchOf(tag, branches), StringComparer.Ordinal)
            .Select(g => new BranchCache(g.Key, g.Order(StringComparer.Ordinal).ToList()))
            .OrderBy(g => g.Branch, StringComparer.Ordinal)
            .ToList();
    }

    private static string BranchOf(string tag, HashSet<string> branches)
    {
        // Branch tags never contain the separator, so the first one ends the branch part.
        var separator = tag.IndexOf(StageTagScheme.Separator, StringComparison.Ordinal);
        var prefix = tag[..separator];
        var stage = tag[(separator + StageTagScheme.Separator.Length)..];
        if (branches.Contains(prefix) || stage.Length == 0)
            return prefix;
        return branches.FirstOrDefault(branch => StageTagScheme.StageTag(branch, stage) == tag) ?? prefix;
    }
}
