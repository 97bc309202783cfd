using CacheFrom.References;
using Serilog;

namespace CacheFrom.Tarballs;

/// <summary>
/// The tarball cache: one <c>docker save</c> archive per repository and tag in a (shared)
/// directory, e.g. <c>STORE/cachefrom-sample/main.tar</c> holding the final and stage images.
/// Writes are atomic (temp file + rename); a file that fails its local read is set aside, never reused.
/// </summary>
internal sealed class TarballStore
{
    private const string Extension = ".tar";
    private readonly ILogger _logger;

    public TarballStore(string directory, ILogger logger)
    {
        Directory = directory;
        _logger = logger.ForContext<TarballStore>();
    }

    public string Directory { get; }

    /// <summary>Where the tarball of <paramref name="image"/>'s tag lives (it may not exist).</summary>
    public string PathFor(ImageReference image) =>
        Path.Combine(Directory, RepositoryFolder(image), image.Tag + Extension);

    /// <summary>
    /// Writes a tarball atomically: <paramref name="write"/> fills a temp file beside the target,
    /// which replaces the target only when complete. On any failure or cancellation the temp
    /// file is removed and the previous tarball stays as it was. The store's own failures (full,
    /// read-only) are a <see cref="TarballStoreException"/> that says so; what
    /// <paramref name="write"/> throws for its own reasons (the engine) passes through.
    /// </summary>
    public async Task<long> WriteAsync(ImageReference image, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        var target = PathFor(image);
        var temp = $"{target}.{Guid.NewGuid():N}.partial";
        try
        {
            long length;
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                // Data on disk before the rename makes it visible: a crash never leaves a torn tarball under the real name.
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            File.Move(temp, target, overwrite: true);
            return length;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw StoreFailure.Writing(Directory, Path.GetFileName(target), exception);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>
    /// Moves a tarball that failed its local read out of the way (<c>NAME.tar.corrupt-TIMESTAMP</c>)
    /// so no run loads it again — but only the very file that was read: when a concurrent writer has
    /// renamed a new tarball over the path meanwhile, that one is left where it is.
    /// </summary>
    public QuarantineOutcome Quarantine(OpenedTarball tarball)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        var path = tarball.Path;
        if (TarballIdentity.At(path) != tarball.Identity)
        {
            _logger.Information("The unloadable tarball {Path} was replaced by another run meanwhile; the new file is left in place", path);
            return new QuarantineOutcome(null, ReplacedMeanwhile: true);
        }

        var destination = $"{path}.corrupt-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}";
        try
        {
            File.Move(path, destination, overwrite: true);
            return new QuarantineOutcome(destination, ReplacedMeanwhile: false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _logger.Warning(exception, "Could not set aside the unloadable tarball {Path}; delete it by hand", path);
            return new QuarantineOutcome(null, ReplacedMeanwhile: false);
        }
    }

    /// <summary>
    /// One folder per repository, named after it: <c>/</c> becomes <c>+</c> and the port's <c>:</c>
    /// becomes <c>~</c>. Neither can appear in a repository name, so two repositories never share
    /// a folder (<c>a/b_c</c> is <c>a+b_c</c>, <c>a_b/c</c> is <c>a_b+c</c>), and a name without
    /// either keeps its own name.
    /// </summary>
    internal static string RepositoryFolder(ImageReference image) =>
        image.Repository.Replace('/', '+').Replace(':', '~');

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException exception)
        {
            _logger.Debug(exception, "Could not remove the temporary file {Path}", path);
        }
        catch (UnauthorizedAccessException exception)
        {
            _logger.Debug(exception, "Could not remove the temporary file {Path}", path);
        }
    }
}
