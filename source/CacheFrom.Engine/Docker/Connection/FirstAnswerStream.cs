namespace CacheFrom.Docker.Connection;

/// <summary>
/// Passes everything through, keeps the first bytes the engine sent and lets a check look at the
/// first answer: its bytes, an end of stream before any byte, or the exception the first read (or a
/// write before any answer) threw. When the check returns an exception it is thrown instead. That is where a wrong guess about TLS
/// shows (a TLS engine spoken to in plain HTTP, a client certificate refused after a TLS 1.3
/// handshake), so one clear message can replace a framing or EOF error.
/// </summary>
internal sealed class FirstAnswerStream(Stream inner, Func<FirstAnswer, Exception?>? check = null) : Stream
{
    private const int Kept = 256;
    private byte[] _first = [];
    private int _answered;

    /// <summary>The start of what the engine sent (up to 256 bytes).</summary>
    public ReadOnlyMemory<byte> FirstBytes => _first;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _answered) != 0 || buffer.Length == 0)
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);

        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && Interlocked.Exchange(ref _answered, 1) == 0)
        {
            if (check?.Invoke(new FirstAnswer(ReadOnlyMemory<byte>.Empty, exception, WhileWriting: false)) is { } replaced)
                throw replaced;
            throw;
        }

        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            _first = buffer[..Math.Min(read, Kept)].ToArray();
            if (check?.Invoke(new FirstAnswer(buffer[..read], null, WhileWriting: false)) is { } replaced)
                throw replaced;
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException && Interlocked.Exchange(ref _answered, 1) == 0)
        {
            // The engine hung up before answering anything.
            if (check?.Invoke(new FirstAnswer(ReadOnlyMemory<byte>.Empty, exception, WhileWriting: true)) is { } replaced)
                throw replaced;
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What the engine first did on a connection: sent <paramref name="Bytes"/> (empty: end of stream), or failed a read or a write with <paramref name="Error"/>.</summary>
internal readonly record struct FirstAnswer(ReadOnlyMemory<byte> Bytes, Exception? Error, bool WhileWriting);
