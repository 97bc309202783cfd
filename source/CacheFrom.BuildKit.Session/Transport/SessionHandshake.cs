using System.Globalization;
using System.Text;
using CacheFrom.Docker.Connection;

namespace CacheFrom.BuildKit.Session.Transport;

/// <summary>
/// <c>POST /session</c>: asks the engine to upgrade the connection to HTTP/2 and to call the
/// listed gRPC methods back on it. After the <c>101</c> head the engine is the HTTP/2 client
/// and speaks first, so the head is read byte by byte: nothing after it may be buffered here.
/// </summary>
internal static class SessionHandshake
{
    private const int MaxHeadBytes = 64 * 1024;

    public static async Task UpgradeAsync(
        Stream stream,
        DockerEndpoint endpoint,
        string apiVersion,
        string sessionId,
        string name,
        string sharedKey,
        IEnumerable<string> methods,
        CancellationToken cancellationToken = default)
    {
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST /v{apiVersion}/session HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {endpoint.HostHeader}\r\n")
            .Append("User-Agent: CacheFrom.BuildKit.Session\r\n")
            .Append("Content-Length: 0\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Upgrade: h2c\r\n")
            .Append(CultureInfo.InvariantCulture, $"X-Docker-Expose-Session-Uuid: {sessionId}\r\n")
            .Append(CultureInfo.InvariantCulture, $"X-Docker-Expose-Session-Name: {name}\r\n")
            .Append(CultureInfo.InvariantCulture, $"X-Docker-Expose-Session-Sharedkey: {sharedKey}\r\n");
        foreach (var method in methods)
            request.Append(CultureInfo.InvariantCulture, $"X-Docker-Expose-Session-Grpc-Method: {method}\r\n");
        request.Append("\r\n");

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
        var statusLine = head.Split("\r\n", 2)[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length >= 2 && parts[1] == "101")
            return;

        var body = await ReadSomeBodyAsync(stream, head, cancellationToken).ConfigureAwait(false);
        throw new DockerEngineUnavailableException(
            $"The Docker engine at {endpoint} refused a BuildKit session ({statusLine.Trim()}{(body.Length > 0 ? ": " + body : "")}). "
            + $"The engine must support API {apiVersion} sessions (Docker 18.09 or newer).");
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(256);
        var one = new byte[1];
        while (true)
        {
            var read = await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new DockerEngineUnavailableException("The Docker engine closed the connection while a BuildKit session was being opened.");
            bytes.Add(one[0]);
            var count = bytes.Count;
            if (count >= 4 && bytes[count - 4] == '\r' && bytes[count - 3] == '\n' && bytes[count - 2] == '\r' && bytes[count - 1] == '\n')
                return Encoding.ASCII.GetString(bytes.ToArray());
            if (count > MaxHeadBytes)
                throw new DockerEngineUnavailableException("The Docker engine answered the BuildKit session request with an oversized response head.");
        }
    }

    // Only for the error message: the body of a refusal is a short JSON text.
    private static async Task<string> ReadSomeBodyAsync(Stream stream, string head, CancellationToken cancellationToken)
    {
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line["Content-Length:".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                length = Math.Min(parsed, 4096);
        }

        if (length == 0)
            return "";
        var buffer = new byte[length];
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            return "";
        }

        return Encoding.UTF8.GetString(buffer).Trim();
    }
}
