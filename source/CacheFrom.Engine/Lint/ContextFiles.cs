using System.Collections.Frozen;
using CacheFrom.BuildContext;

namespace CacheFrom.Lint;

/// <summary>
/// What the build context holds, as the build will see it: <c>.dockerignore</c> applied. Looks only
/// where the rules need it (the root, and a few levels down for project files), never walks
/// <c>.git</c>, <c>node_modules</c> or build outputs.
/// </summary>
internal sealed class ContextFiles
{
    private static readonly FrozenSet<string> NeverWalked = new[] { ".git", "node_modules", "bin", "obj", "vendor", "target", ".venv", "__pycache__" }.ToFrozenSet(StringComparer.Ordinal);

    private readonly string _root;
    private readonly DockerIgnore _ignore;

    public ContextFiles(string root)
    {
        _root = root;
        HasDockerIgnore = File.Exists(Path.Combine(root, ".dockerignore"));
        _ignore = DockerIgnore.Load(root);
    }

    public bool HasDockerIgnore { get; }

    /// <summary>Whether the context-relative path exists on disk (file or directory).</summary>
    public bool Exists(string relativePath)
    {
        var full = Path.Combine(_root, relativePath);
        return File.Exists(full) || Directory.Exists(full);
    }

    public bool IsDirectory(string relativePath) => Directory.Exists(Path.Combine(_root, relativePath));

    /// <summary>Whether the path exists and the <c>.dockerignore</c> leaves it in the context.</summary>
    public bool IsSent(string relativePath) => Exists(relativePath) && !_ignore.IsExcluded(relativePath.Replace('\\', '/'));

    /// <summary>The ecosystem's manifests in the context (context-relative, '/' separators): shallowest first, then in the ecosystem's order.</summary>
    public IReadOnlyList<string> Manifests(Ecosystem ecosystem)
    {
        var found = new List<(string Path, int Order)>();
        Walk("", 0, ecosystem.Depth, file =>
        {
            var name = file[(file.LastIndexOf('/') + 1)..];
            var order = ecosystem.Manifests.ToList().FindIndex(m => Matches(m, name));
            if (order >= 0)
                found.Add((file, order));
        });
        return found
            .OrderBy(f => f.Path.Count(c => c == '/'))
            .ThenBy(f => f.Order)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => f.Path)
            .ToList();
    }

    /// <summary>Directories named <paramref name="name"/> (e.g. <c>bin</c>) next to a project file, down to <paramref name="depth"/> levels.</summary>
    public IReadOnlyList<string> NextToProjects(string name, int depth)
    {
        var found = new List<string>();
        Walk("", 0, depth, file =>
        {
            if (!file.EndsWith("proj", StringComparison.OrdinalIgnoreCase))
                return;
            var folder = file.Contains('/', StringComparison.Ordinal) ? file[..file.LastIndexOf('/')] + "/" : "";
            if (IsDirectory(folder + name) && !found.Contains(folder + name))
                found.Add(folder + name);
        });
        return found;
    }

    /// <summary>A file-name pattern with <c>*</c> (any run of characters), compared case-sensitively as Linux does.</summary>
    public static bool Matches(string pattern, string name)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
            return string.Equals(pattern, name, StringComparison.Ordinal);
        var prefix = pattern[..star];
        var suffix = pattern[(star + 1)..];
        return name.Length >= prefix.Length + suffix.Length
            && name.StartsWith(prefix, StringComparison.Ordinal)
            && name.EndsWith(suffix, StringComparison.Ordinal);
    }

    private void Walk(string relative, int level, int depth, Action<string> onFile)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(Path.Combine(_root, relative)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder is one the build cannot send either; nothing to say about it.
            return;
        }

        var folders = new List<string>();
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            var path = relative.Length == 0 ? name : relative + "/" + name;
            if (_ignore.IsExcluded(path) && !_ignore.HasExceptions)
                continue;
            if (Directory.Exists(entry))
            {
                if (level < depth && !NeverWalked.Contains(name) && !IsLink(entry))
                    folders.Add(path);
            }
            else if (!_ignore.IsExcluded(path))
            {
                onFile(path);
            }
        }

        foreach (var folder in folders)
            Walk(folder, level + 1, depth, onFile);
    }

    private static bool IsLink(string path) => new DirectoryInfo(path).LinkTarget is not null;
}
