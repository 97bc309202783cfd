using System.Net.Sockets;
using System.Text;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// An engine that dies mid-build, on a unix socket of its own: it answers <c>GET /version</c>
/// like Docker 20.10, starts a build response, then hangs up and stops listening. The real engine
/// cannot be killed in a test (other tests share it), so this stands in for the crash only.
/// </summary>
internal sealed class VanishingEngine : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public VanishingEngine()
    {
        SocketPath = Path.Combine(Path.GetTempPath(), $"cachefrom-vanishing-{Guid.NewGuid():N}.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
        _serving = ServeAsync(_stop.Token);
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

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptAsync(cancellationToken);
            await using var stream = new NetworkStream(connection, ownsSocket: false);
            var head = await ReadHeadAsync(stream, cancellationToken);
            if (head.Contains("/version", StringComparison.Ordinal))
            {
                var body = """{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}""";
                await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}", cancellationToken);
                continue;
            }

            // The build starts streaming, then the engine is gone: connection dropped, nobody listening.
            var line = """{"stream":"Step 1/2 : FROM busybox\n"}""" + "\n";
            await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(line):x}\r\n{line}\r\n", cancellationToken);
            await Task.Delay(200, cancellationToken);
            connection.Close();
            _listener.Close();
            return;
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    private static Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).AsTask();
}
