namespace CacheFrom.Tarballs;

/// <summary>
/// A store tarball held open for one load: the engine reads the very file that was verified, even
/// if a concurrent writer renames a new one over its path meanwhile, and <see cref="Identity"/>
/// says which file that was.
/// </summary>
internal sealed class OpenedTarball : IAsyncDisposable
{
    private OpenedTarball(string path, FileStream stream)
    {
        Path = path;
        Stream = stream;
        Identity = TarballIdentity.Of(stream.SafeFileHandle);
    }

    public string Path { get; }

    public FileStream Stream { get; }

    public TarballIdentity Identity { get; }

    /// <summary>Opens <paramref name="path"/>; a file that cannot be opened is a <see cref="TarballStoreException"/>.</summary>
    public static OpenedTarball Open(string path)
    {
        try
        {
            // Delete sharing: a concurrent writer may rename over the path (and we may set it aside) while it is open.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return new OpenedTarball(path, stream);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw StoreFailure.Reading(path, exception);
        }
    }

    /// <summary>
    /// Reads the whole file locally (<see cref="TarballVerifier"/>) and rewinds it. Throws
    /// <see cref="CorruptTarballException"/> when the content is bad, <see cref="TarballStoreException"/> when the read itself fails.
    /// </summary>
    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        Stream.Position = 0;
        await TarballVerifier.VerifyAsync(Stream, Path, cancellationToken).ConfigureAwait(false);
        Stream.Position = 0;
    }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
