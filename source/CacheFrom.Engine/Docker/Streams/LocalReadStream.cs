namespace CacheFrom.Docker.Streams;

/// <summary>
/// A read-only view of a local source (a tarball being loaded) whose read failures are marked as
/// local: a failing disk becomes a <see cref="TarballStoreException"/>, which the engine-connection
/// wrapper passes on instead of reporting the engine as gone.
/// </summary>
internal sealed class LocalReadStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Local(exception);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Local(exception);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static TarballStoreException Local(Exception exception) =>
        new($"Reading the tarball to load failed on this machine ({exception.Message.TrimEnd('.')}); the file is left in place.", exception);
}
