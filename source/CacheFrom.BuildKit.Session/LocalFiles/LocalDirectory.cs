using CacheFrom.BuildContext;
using CacheFrom.Sessions;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// One local directory a session serves to BuildKit under the name the Dockerfile frontend asks
/// for: <c>context</c> (the build context, our ignore rules applied) or <c>dockerfile</c> (only the
/// Dockerfile and its own ignore file, whatever else lies beside it).
/// </summary>
internal sealed class LocalDirectory
{
    public const string ContextName = "context";
    public const string DockerfileName = "dockerfile";

    /// <summary>BuildKit reads the context's ignore file itself; our rules never hide it from BuildKit.</summary>
    private const string IgnoreFileName = ".dockerignore";

    private LocalDirectory(string name, string root, DockerIgnore ignore, IReadOnlySet<string>? only)
    {
        Name = name;
        Root = root;
        Ignore = ignore;
        Only = only;
    }

    public string Name { get; }

    /// <summary>Absolute path of the directory.</summary>
    public string Root { get; }

    /// <summary>Rules applied on our side before BuildKit's own patterns.</summary>
    public DockerIgnore Ignore { get; }

    /// <summary>When set, the only paths this directory may send.</summary>
    public IReadOnlySet<string>? Only { get; }

    public static IReadOnlyDictionary<string, LocalDirectory> For(BuildSessionContext? context)
    {
        var result = new Dictionary<string, LocalDirectory>(StringComparer.Ordinal);
        if (context is null)
            return result;
        result[ContextName] = new LocalDirectory(ContextName, context.ContextDirectory, DockerIgnore.Parse(context.IgnoreRules), null);
        result[DockerfileName] = new LocalDirectory(
            DockerfileName,
            context.DockerfileDirectory,
            DockerIgnore.Empty,
            new HashSet<string>(StringComparer.Ordinal) { context.DockerfileName, context.DockerfileName + IgnoreFileName });
        return result;
    }

    /// <summary>Whether our side leaves the relative path (with '/') out.</summary>
    public bool Excludes(string path) =>
        Only is not null ? !Only.Contains(path) : path != IgnoreFileName && Ignore.IsExcluded(path);

    /// <summary>Whether something under the directory <paramref name="path"/> may still be sent.</summary>
    public bool MaySendUnder(string path)
    {
        if (Only is not null)
            return Only.Any(p => p.StartsWith(path + "/", StringComparison.Ordinal));
        return !Ignore.IsExcluded(path) || Ignore.HasExceptions;
    }
}
