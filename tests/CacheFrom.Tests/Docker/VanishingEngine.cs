using System.Net.Sockets;
using System.Text;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// An engine that dies mid-build, on a unix socket of its own: it answers <c>GET /version</c>
/// like Docker 20.10, starts a build response, then hangs up and stops listening. The real engine
/// cannot be killed in a test (other tests share it), so this stands in for the crash only.
/// </summary>
internal sealed class VanishingEngine : IAsyncDisposable
{
    private readonly UnixSocketServer _server;

    public VanishingEngine() => _server = new UnixSocketServer("vanishing", AnswerAsync);

    public string SocketPath => _server.SocketPath;

    public string Host => _server.Host;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task<bool> AnswerAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(stream, cancellationToken);
        if (head.Contains("/version", StringComparison.Ordinal))
        {
            var body = """{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}""";
            await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}", cancellationToken);
            return true;
        }

        // The build starts streaming, then the engine is gone: connection dropped, nobody listening.
        var line = """{"stream":"Step 1/2 : FROM busybox\n"}""" + "\n";
        await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(line):x}\r\n{line}\r\n", cancellationToken);
        await Task.Delay(200, cancellationToken);
        return false;
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
