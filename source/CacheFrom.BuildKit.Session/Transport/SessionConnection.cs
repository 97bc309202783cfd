using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace CacheFrom.BuildKit.Session.Transport;

/// <summary>
/// One hijacked <c>/session</c> connection as Kestrel sees it: the engine's HTTP/2 client on the
/// other end. <see cref="Ended"/> completes when the connection ends, with the reason when
/// the engine hung up or the socket failed (null when we closed it).
/// </summary>
internal sealed class SessionConnection : ConnectionContext
{
    private readonly MonitoredStream _stream;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<Exception?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _closing;

    public SessionConnection(string connectionId, Stream stream)
    {
        ConnectionId = connectionId;
        _stream = new MonitoredStream(stream, OnStreamEnded);
        Transport = new DuplexPipe(
            PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true)));
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set { }
    }

    /// <summary>Completes when the connection is gone; the exception says why when it was not our doing.</summary>
    public Task<Exception?> Ended => _ended.Task;

    /// <summary>Closes the connection on purpose (the build ended): the engine drops the session.</summary>
    public void Close()
    {
        _closing = true;
        Shutdown(null);
    }

    public override void Abort(ConnectionAbortedException abortReason) =>
        Shutdown(_closing ? null : new IOException("Kestrel aborted the session connection: " + abortReason.Message, abortReason));

    public override async ValueTask DisposeAsync()
    {
        // Kestrel is done with the connection: from here on it is closed whoever started it.
        Shutdown(_closing ? null : new IOException("the session connection was closed"));
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void OnStreamEnded(Exception? error) =>
        Shutdown(_closing ? null : error ?? new EndOfStreamException("the Docker engine closed the session connection"));

    private void Shutdown(Exception? reason)
    {
        if (!_ended.TrySetResult(reason))
            return;
        try
        {
            _stream.Dispose();
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // Already broken: nothing left to close.
        }

        try
        {
            _closed.Cancel();
        }
        catch (AggregateException)
        {
            // A Kestrel callback on ConnectionClosed threw; the connection is closed regardless.
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
