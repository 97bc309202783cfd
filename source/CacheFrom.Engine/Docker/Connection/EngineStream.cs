using System.Net.Sockets;
using System.Text;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// Opens one raw connection to the engine: a unix socket, a tcp connection, or TLS over tcp with
/// the client certificate and the CA of <see cref="EngineTls"/>. Every engine API request goes
/// through it (<see cref="EngineHandlerFactory"/>), and so does the BuildKit session, which hijacks
/// a connection of its own. A plain tcp connection to an engine that expects TLS is recognised
/// by its first answer and reported as such.
/// </summary>
internal static class EngineStream
{
    /// <summary>A fresh connection; connect failures surface as <see cref="SocketException"/>s, TLS problems as one <see cref="DockerEngineUnavailableException"/>.</summary>
    public static async Task<Stream> OpenAsync(DockerEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Socket? socket = null;
        try
        {
            if (endpoint.IsUnix)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.SocketPath!), cancellationToken).ConfigureAwait(false);
                var unix = new NetworkStream(socket, ownsSocket: true);
                socket = null;
                return unix;
            }

            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint.Host!, endpoint.Port, cancellationToken).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            if (endpoint.Tls is { } tls)
                return await EngineTlsHandshake.AuthenticateAsync(network, endpoint, tls, cancellationToken).ConfigureAwait(false);
            return new FirstAnswerStream(network, answer => PlainAnswer(endpoint, answer.Bytes.Span));
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>
    /// The first answer on a plain tcp connection: a TLS record, or a TLS server's plain-HTTP
    /// complaint, means the engine expects TLS. (An engine that just hangs up is judged by the
    /// version probe: <see cref="SystemOperations"/>.)
    /// </summary>
    private static DockerEngineUnavailableException? PlainAnswer(DockerEndpoint endpoint, ReadOnlySpan<byte> first)
    {
        var speaksTls = first.Length > 0 && first[0] is 0x15 or 0x16;
        var complains = first.Length > 0
            && Encoding.ASCII.GetString(first).Contains("HTTP request to an HTTPS server", StringComparison.OrdinalIgnoreCase);
        return speaksTls || complains
            ? ExpectsTls(endpoint, $"it answered a plain request with {(speaksTls ? "TLS" : "\"client sent an HTTP request to an HTTPS server\"")}", null)
            : null;
    }

    /// <summary>One message for a tcp engine that wants TLS and was spoken to without it.</summary>
    public static DockerEngineUnavailableException ExpectsTls(DockerEndpoint endpoint, string evidence, Exception? inner) =>
        new($"The Docker engine at {endpoint} did not answer plain HTTP ({evidence}). If it is a TLS endpoint (usually port "
            + $"{DockerEndpoint.DefaultTlsPort}), set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with its ca.pem, cert.pem and key.pem.",
            inner);
}
