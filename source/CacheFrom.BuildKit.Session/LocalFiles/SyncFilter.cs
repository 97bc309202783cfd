using CacheFrom.BuildContext;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// Which paths one DiffCopy sends: our side's rules for the directory, then BuildKit's exclude
/// patterns, then its include patterns and followpaths (a path is included when it or a parent
/// matches). Patterns mean what fsutil's patternmatcher means, which <see cref="DockerIgnore"/>
/// implements for <c>.dockerignore</c>.
/// </summary>
internal sealed class SyncFilter
{
    private static readonly char[] Wildcards = ['*', '?', '[', '\\'];

    private readonly LocalDirectory _directory;
    private readonly DockerIgnore? _excludes;
    private readonly DockerIgnore? _includes;
    private readonly IReadOnlyList<string[]> _includeSegments;

    private SyncFilter(LocalDirectory directory, DockerIgnore? excludes, DockerIgnore? includes, IReadOnlyList<string[]> includeSegments)
    {
        _directory = directory;
        _excludes = excludes;
        _includes = includes;
        _includeSegments = includeSegments;
    }

    public static SyncFilter For(LocalDirectory directory, SyncRequest request)
    {
        var includes = new List<string>(request.IncludePatterns);
        if (request.FollowPaths.Count > 0 && FollowPaths.Resolve(directory.Root, request.FollowPaths) is { } followed)
            includes.AddRange(followed);

        var includeRules = includes.Count > 0 ? DockerIgnore.Parse(includes.Select(Literal)) : null;
        var segments = includes.Where(p => !p.StartsWith('!')).Select(p => FollowPaths.Clean(p).Split('/')).ToList();
        var excludeRules = request.ExcludePatterns.Count > 0 ? DockerIgnore.Parse(request.ExcludePatterns.Select(Literal)) : null;
        return new SyncFilter(directory, excludeRules, includeRules, segments);
    }

    /// <summary>Whether the relative path (with '/') is sent.</summary>
    public bool Sends(string path) =>
        !_directory.Excludes(path)
        && _excludes?.IsExcluded(path) != true
        && _includes?.IsExcluded(path) != false;

    /// <summary>Whether a directory that is not sent itself must still be walked: something under it may be.</summary>
    public bool MaySendUnder(string path)
    {
        if (!_directory.MaySendUnder(path))
            return false;
        if (_excludes is not null && _excludes.IsExcluded(path) && !_excludes.HasExceptions)
            return false;
        if (_includes is null || _includes.IsExcluded(path))
            return true;
        var directory = path.Split('/');
        return _includeSegments.Any(pattern => CouldMatchUnder(pattern, directory));
    }

    // A pattern line that DockerIgnore must not read as a comment ("#name" is a file name here).
    private static string Literal(string pattern) => pattern.StartsWith('#') ? "./" + pattern : pattern;

    private static bool CouldMatchUnder(string[] pattern, string[] directory)
    {
        for (var i = 0; i < directory.Length; i++)
        {
            if (i >= pattern.Length)
                return true;
            if (pattern[i].IndexOfAny(Wildcards) >= 0)
                return true; // a wildcard segment may match: walk and let the rules decide
            if (!string.Equals(pattern[i], directory[i], StringComparison.Ordinal))
                return false;
        }

        return true;
    }
}
