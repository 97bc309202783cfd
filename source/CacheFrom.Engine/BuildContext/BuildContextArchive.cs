using System.Formats.Tar;

namespace CacheFrom.BuildContext;

/// <summary>
/// The build context as the tar body of <c>POST /build</c>: GNU entries (BuildKit's Dockerfile
/// frontend misreads PAX headers), <c>.dockerignore</c> honoured, and a Dockerfile that lies
/// outside the context added under a unique name, as the docker CLI does.
/// </summary>
internal sealed class BuildContextArchive : IAsyncDisposable
{
    private BuildContextArchive(FileStream content, string dockerfileName, int fileCount)
    {
        Content = content;
        DockerfileName = dockerfileName;
        FileCount = fileCount;
    }

    /// <summary>The tar, positioned at its start; deleted on dispose.</summary>
    public FileStream Content { get; }

    /// <summary>The <c>dockerfile</c> build parameter: the Dockerfile's path inside the tar.</summary>
    public string DockerfileName { get; }

    public int FileCount { get; }

    public static async Task<BuildContextArchive> CreateAsync(string contextDirectory, string dockerfilePath, CancellationToken cancellationToken = default)
    {
        var (context, dockerfile) = ContextPaths.Resolve(contextDirectory, dockerfilePath);

        var relativeDockerfile = Path.GetRelativePath(context, dockerfile);
        var insideContext = !relativeDockerfile.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relativeDockerfile);
        var dockerfileName = insideContext
            ? relativeDockerfile.Replace(Path.DirectorySeparatorChar, '/')
            : $".cachefrom-dockerfile-{Guid.NewGuid():N}";

        var ignore = DockerIgnore.Load(context);
        var content = new FileStream(
            Path.Combine(Path.GetTempPath(), $"cachefrom-context-{Guid.NewGuid():N}.tar"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var count = 0;
            await using (var writer = new TarWriter(content, TarEntryFormat.Gnu, leaveOpen: true))
            {
                foreach (var (path, name) in Walk(context, ignore, alwaysKeep: [dockerfileName, ".dockerignore"]))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await writer.WriteEntryAsync(path, name, cancellationToken).ConfigureAwait(false);
                    count++;
                }

                if (!insideContext)
                {
                    await writer.WriteEntryAsync(dockerfile, dockerfileName, cancellationToken).ConfigureAwait(false);
                    count++;
                }
            }

            content.Position = 0;
            return new BuildContextArchive(content, dockerfileName, count);
        }
        catch
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => Content.DisposeAsync();

    private static IEnumerable<(string Path, string Name)> Walk(string root, DockerIgnore ignore, IReadOnlyCollection<string> alwaysKeep)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                var excluded = ignore.IsExcluded(name) && !alwaysKeep.Contains(name);
                var isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
                if (isDirectory)
                {
                    // An excluded directory may still hold re-included files ("!dir/keep").
                    if (!excluded)
                        yield return (entry.FullName, name);
                    if (!excluded || !ignore.CanSkipDirectory(name) || alwaysKeep.Any(k => k.StartsWith(name + "/", StringComparison.Ordinal)))
                        pending.Push(entry.FullName);
                }
                else if (!excluded)
                {
                    yield return (entry.FullName, name);
                }
            }
        }
    }
}
