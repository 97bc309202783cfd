using System.IO.Enumeration;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// fsutil's <c>FollowLinks</c>: the paths BuildKit asks for (followpaths, e.g. the Dockerfile or a
/// COPY source), with every symlink on the way added along with its target inside the directory,
/// so the receiver gets both. The result is sorted with paths under another one dropped; null
/// means "everything" (one of them was the root).
/// </summary>
internal static class FollowPaths
{
    // Symlink chains longer than this are loops, as for the kernel's ELOOP.
    private const int MaxLinks = 40;

    public static IReadOnlyList<string>? Resolve(string root, IEnumerable<string> paths)
    {
        var resolved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
            Append(root, Clean(path), resolved, 0);

        var sorted = resolved.OrderBy(p => p, StringComparer.Ordinal).ToList();
        var result = new List<string>(sorted.Count);
        string? last = null;
        foreach (var path in sorted)
        {
            if (path == ".")
                return null;
            if (last is not null && path.StartsWith(last + "/", StringComparison.Ordinal))
                continue;
            result.Add(path);
            last = path;
        }

        return result;
    }

    /// <summary>Go's <c>filepath.Join(".", p)</c>: relative, '/' separated, no '.', '..' resolved lexically, "." for the root.</summary>
    public static string Clean(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count > 0)
                    segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return segments.Count == 0 ? "." : string.Join('/', segments);
    }

    private static void Append(string root, string path, HashSet<string> resolved, int depth)
    {
        if (path == ".")
        {
            resolved.Add(".");
            return;
        }

        var parts = path.Split('/');
        var current = "";
        for (var i = 0; i < parts.Length; i++)
        {
            current = current.Length == 0 ? parts[i] : current + "/" + parts[i];
            var rest = string.Join('/', parts.Skip(i + 1));
            var targets = SymlinkTargets(root, current);
            if ((rest.Length == 0 || targets is not null) && resolved.Contains(current))
                return;
            if (targets is not null)
            {
                resolved.Add(current);
                if (depth >= MaxLinks)
                    return;
                foreach (var target in targets)
                    Append(root, Clean(rest.Length == 0 ? target : target + "/" + rest), resolved, depth + 1);
                return;
            }

            if (rest.Length == 0)
            {
                resolved.Add(current);
                return;
            }
        }
    }

    /// <summary>Targets (root-relative) of the symlink at <paramref name="path"/>, or of those a wildcard last segment matches; null: no symlink.</summary>
    private static List<string>? SymlinkTargets(string root, string path)
    {
        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? "" : path[..slash];
        var name = slash < 0 ? path : path[(slash + 1)..];
        if (name.IndexOfAny(['*', '?', '[']) < 0)
            return Target(root, parent, name) is { } one ? [one] : null;

        var directory = new DirectoryInfo(Path.Combine(root, parent));
        if (!directory.Exists)
            return null;
        List<string>? targets = null;
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            if (FileSystemName.MatchesSimpleExpression(name, entry.Name, ignoreCase: false) && Target(root, parent, entry.Name) is { } target)
                (targets ??= []).Add(target);
        }

        return targets;
    }

    private static string? Target(string root, string parent, string name)
    {
        if (new FileInfo(Path.Combine(root, parent, name)).LinkTarget is not { } link)
            return null;
        // An absolute target means the same path inside the served directory, as fsutil reads it.
        return link.StartsWith('/') ? Clean(link) : Clean(parent.Length == 0 ? link : parent + "/" + link);
    }
}
