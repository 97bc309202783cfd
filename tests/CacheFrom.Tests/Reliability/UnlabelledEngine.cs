using System.Net.Sockets;
using System.Text;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Stands in for a user's own engine, on a unix socket of its own: it answers the docker CLI's
/// <c>HEAD /_ping</c> and <c>GET /info</c> like an engine without the test-engine label, and
/// records every request line, so a test can show nothing else reached it.
/// </summary>
internal sealed class UnlabelledEngine : IAsyncDisposable
{
    private readonly UnixSocketServer _server;
    private readonly List<string> _requests = [];
    private readonly Lock _gate = new();

    public UnlabelledEngine() => _server = new UnixSocketServer("user-engine", AnswerAsync);

    public string Host => _server.Host;

    /// <summary>Every request line received, e.g. <c>GET /v1.41/info</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
                return [.. _requests];
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>Every request on the connection (the CLI keeps it alive), until the peer closes it.</summary>
    private async Task<bool> AnswerAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var pending = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                    return true;
                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                continue;
            }

            var head = pending.ToString(0, end);
            pending.Remove(0, end + 4);
            var requestLine = head.Split("\r\n")[0];
            var method = requestLine.Split(' ')[0];
            var path = requestLine.Split(' ').ElementAtOrDefault(1) ?? "";
            lock (_gate)
                _requests.Add($"{method} {path}");

            var body = path.Contains("/_ping", StringComparison.Ordinal)
                ? "OK"
                : """{"ID":"user-engine","ServerVersion":"20.10.24","Labels":["com.example.owner=the-user"]}""";
            var response = $"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n"
                + (method == "HEAD" ? "" : body);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(response), cancellationToken);
        }
    }
}
