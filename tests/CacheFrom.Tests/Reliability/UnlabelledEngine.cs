using System.Net.Sockets;
using System.Text;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Stands in for a user's own engine, on a unix socket of its own: it answers the docker CLI's
/// <c>HEAD /_ping</c> and <c>GET /info</c> like an engine without the test-engine label, and
/// records every request line, so a test can show nothing else reached it.
/// </summary>
internal sealed class UnlabelledEngine : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly List<string> _requests = [];
    private readonly Lock _gate = new();

    public UnlabelledEngine()
    {
        SocketPath = Path.Combine(Path.GetTempPath(), $"cachefrom-user-engine-{Guid.NewGuid().ToString("N")[..8]}.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
        _serving = ServeAsync(_stop.Token);
    }

    public string SocketPath { get; }

    public string Host => "unix://" + SocketPath;

    /// <summary>Every request line received, e.g. <c>GET /v1.41/info</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
                return [.. _requests];
        }
    }

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
            var pending = new StringBuilder();
            var buffer = new byte[4096];
            while (true)
            {
                var end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    var read = await stream.ReadAsync(buffer, cancellationToken);
                    if (read == 0)
                        break;
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
}
