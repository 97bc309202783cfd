using System.Net.Sockets;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// Turns transport failures (nothing listening, the engine gone mid-call) into one
/// <see cref="DockerEngineUnavailableException"/> that names the endpoint and what to do.
/// </summary>
internal static class EngineFailures
{
    public static bool IsTransportFailure(Exception exception) =>
        Chain(exception).Any(e => e is SocketException or HttpRequestException or IOException or EndOfStreamException)
        && exception is not OperationCanceledException
        && OwnFailure(exception) is null;

    /// <summary>A <see cref="CacheFromException"/> inside <paramref name="exception"/>: ours, not the transport's (e.g. a local read of a request body).</summary>
    public static CacheFromException? OwnFailure(Exception exception) =>
        Chain(exception).OfType<CacheFromException>().FirstOrDefault();

    /// <summary>Connecting failed: nothing answered at the endpoint.</summary>
    public static DockerEngineUnavailableException NotAnswering(DockerEndpoint endpoint, Exception exception) =>
        new($"No Docker engine answered at {endpoint} ({Reason(exception)}). {DockerEndpoint.Advice}", exception);

    /// <summary>The engine answered before but went away during <paramref name="operation"/>.</summary>
    public static DockerEngineUnavailableException WentAway(DockerEndpoint endpoint, string operation, Exception? exception) =>
        new($"The Docker engine at {endpoint} stopped answering during {operation}"
            + (exception is null ? "" : $" ({Reason(exception)})")
            + $". {DockerEndpoint.Advice}", exception);

    /// <summary>A short cause: "connection refused", "no such socket", or the innermost message.</summary>
    public static string Reason(Exception exception)
    {
        foreach (var e in Chain(exception))
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.AddressNotAvailable or SocketError.HostNotFound when socket.Message.Contains("No such file", StringComparison.OrdinalIgnoreCase) => "no such socket",
                    SocketError.AddressNotAvailable => "no such socket",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.TimedOut => "timed out",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.AccessDenied => "permission denied",
                    _ => socket.Message.ToLowerInvariant(),
                };
            }
        }

        // A stream cut short shows up as a framing error ("Invalid chunk header"): say what it means.
        if (Chain(exception).Any(e => e is IOException or EndOfStreamException))
            return "the connection closed mid-response";

        var innermost = Chain(exception).Last();
        return innermost.Message.TrimEnd('.');
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            yield return e;
    }
}
