using System.Net.Sockets;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A unix socket of its own that a stand-in engine answers on, one connection at a time, until its
/// handler stops listening (an engine that went away) or it is disposed, which deletes the socket.
/// </summary>
internal sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    /// <param name="name">Part of the socket's file name, for whoever finds it in the temp folder.</param>
    /// <param name="serve">Answers one connection; false closes it and stops listening.</param>
    public UnixSocketServer(string name, Func<NetworkStream, CancellationToken, Task<bool>> serve)
    {
        SocketPath = Path.Combine(Path.GetTempPath(), $"cachefrom-{name}-{Guid.NewGuid().ToString("N")[..8]}.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
        _serving = ServeAsync(serve, _stop.Token);
    }

    public string SocketPath { get; }

    public string Host => "unix://" + SocketPath;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the accept loop is the point of disposing.
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private async Task ServeAsync(Func<NetworkStream, CancellationToken, Task<bool>> serve, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptAsync(cancellationToken);
            bool listening;
            await using (var stream = new NetworkStream(connection, ownsSocket: false))
                listening = await serve(stream, cancellationToken);
            if (!listening)
            {
                connection.Close();
                _listener.Close();
                return;
            }
        }
    }
}
