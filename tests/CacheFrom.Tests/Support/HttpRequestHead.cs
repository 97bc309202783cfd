using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.Tests.Support;

/// <summary>
/// The head of one HTTP/1.1 request read off a socket (for <see cref="FaultProxy.Answer"/>): its
/// method, its path without the API version and query, and every byte read so far, so a request
/// that is not answered can be forwarded as it came.
/// </summary>
internal sealed partial class HttpRequestHead
{
    private HttpRequestHead(string method, string apiPath, IReadOnlyDictionary<string, string> headers, byte[] received, int headLength)
    {
        Method = method;
        ApiPath = apiPath;
        Headers = headers;
        Received = received;
        HeadLength = headLength;
    }

    public string Method { get; }

    /// <summary><c>/images/load</c> for <c>POST /v1.41/images/load?quiet=0</c>.</summary>
    public string ApiPath { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The head and whatever of the body arrived with it.</summary>
    public byte[] Received { get; }

    private int HeadLength { get; }

    /// <summary>Null when the peer closed before a whole head arrived.</summary>
    public static async Task<HttpRequestHead?> ReadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int end;
        while ((end = IndexOfHeadEnd(buffer)) < 0)
        {
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken);
            if (read == 0)
                return null;
            buffer.Write(chunk, 0, read);
        }

        var received = buffer.ToArray();
        var lines = Encoding.ASCII.GetString(received, 0, end).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var target = requestLine.Length > 1 ? requestLine[1] : "/";
        var path = target.Split('?')[0];
        path = ApiVersionPrefix().Replace(path, "");
        return new HttpRequestHead(requestLine[0], path, headers, received, end + 4);
    }

    /// <summary>Reads the rest of the body (Content-Length or chunked) so the client sees our answer, not a broken pipe.</summary>
    public async Task DrainBodyAsync(Socket socket, CancellationToken cancellationToken)
    {
        var reader = new SocketReader(socket, Received.AsMemory(HeadLength));
        if (Headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeLine = await reader.ReadLineAsync(cancellationToken);
                var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await reader.ReadLineAsync(cancellationToken)).Length > 0)
                    {
                        // trailers
                    }

                    return;
                }

                await reader.SkipAsync(size + 2, cancellationToken);
            }
        }

        if (Headers.TryGetValue("Content-Length", out var length))
            await reader.SkipAsync(long.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
    }

    private static int IndexOfHeadEnd(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return bytes.IndexOf("\r\n\r\n"u8);
    }

    [GeneratedRegex(@"^/v\d+\.\d+")]
    private static partial Regex ApiVersionPrefix();

    /// <summary>Reads lines and skips bytes off a socket, starting with bytes already received.</summary>
    private sealed class SocketReader(Socket socket, ReadOnlyMemory<byte> already)
    {
        private readonly byte[] _chunk = new byte[64 * 1024];
        private ReadOnlyMemory<byte> _pending = already;

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_pending.IsEmpty)
                    await FillAsync(cancellationToken);
                var newline = _pending.Span.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    line.Append(Encoding.ASCII.GetString(_pending.Span));
                    _pending = ReadOnlyMemory<byte>.Empty;
                    continue;
                }

                line.Append(Encoding.ASCII.GetString(_pending.Span[..newline]));
                _pending = _pending[(newline + 1)..];
                return line.ToString().TrimEnd('\r');
            }
        }

        public async Task SkipAsync(long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_pending.IsEmpty)
                    await FillAsync(cancellationToken);
                var take = (int)Math.Min(count, _pending.Length);
                _pending = _pending[take..];
                count -= take;
            }
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            var read = await socket.ReceiveAsync(_chunk, SocketFlags.None, cancellationToken);
            if (read == 0)
                throw new EndOfStreamException("the client closed mid-request");
            _pending = _chunk.AsMemory(0, read);
        }
    }
}
