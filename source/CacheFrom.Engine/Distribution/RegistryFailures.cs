using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using CacheFrom.Configuration;

namespace CacheFrom.Distribution;

/// <summary>
/// Turns what a registry answered (status and the spec's error body) or why it could not be
/// reached into one exception whose message says what happened and what to do. Decided from
/// status codes, error codes and error kinds, never from the text. Messages never hold a secret.
/// </summary>
internal static class RegistryFailures
{
    /// <summary>A response that is not what the operation wanted (401 is handled by <see cref="Unauthorized"/>).</summary>
    public static RegistryException FromResponse(RegistryRequest request, HttpStatusCode status, RegistryErrorBody body)
    {
        var registry = request.Registry;
        var said = Said(status, body);
        switch (status)
        {
            case HttpStatusCode.Unauthorized:
                return Unauthorized(request, body, bearer: false);
            case HttpStatusCode.Forbidden:
                return new RegistryAuthenticationException(
                    registry,
                    $"The registry {registry} denied {Who(request.Credentials)} {request.Access.Actions()} access to {request.Repository.Path} for the {request.Description} ({said}). "
                    + $"Check that the account may {request.Access.Actions()} that repository, or run `docker login {registry}` with one that may.");
            case HttpStatusCode.MethodNotAllowed when request.Method == HttpMethod.Delete:
            case var _ when request.Method == HttpMethod.Delete && body.Has(RegistryErrorCode.Unsupported):
                return new RegistryRequestException(
                    registry,
                    $"The registry {registry} does not allow deletes ({said}), so the {request.Description} was refused. "
                    + "Turn deletes on (for a distribution registry: storage.delete.enabled: true), or leave pruning to the registry's own retention policy.",
                    status, body.Code, isTransient: false)
                {
                    DeletesDisabled = true,
                };
            default:
                return new RegistryRequestException(
                    registry,
                    $"The {request.Description} failed at registry {registry} ({said}){Advice(status, body)}",
                    status, body.Code, IsTransient(status, body));
        }
    }

    /// <summary>
    /// A second 401, after the client answered the registry's challenge: the credentials are
    /// wrong (Basic), or the token the token server gave does not grant this access (Bearer).
    /// </summary>
    public static RegistryAuthenticationException Unauthorized(RegistryRequest request, RegistryErrorBody body, bool bearer)
    {
        var registry = request.Registry;
        var said = Said(HttpStatusCode.Unauthorized, body);
        if (request.Credentials is null)
        {
            return new RegistryAuthenticationException(
                registry,
                $"The registry {registry} needs credentials for the {request.Description} ({said}). Set docker-username and docker-password, or run `docker login {registry}`.");
        }

        if (bearer)
        {
            return new RegistryAuthenticationException(
                registry,
                $"The registry {registry} refused {request.Access.Actions()} access to {request.Repository.Path} for {Who(request.Credentials)}: a fresh token did not grant it ({said}). "
                + $"Check that the account may {request.Access.Actions()} that repository, or run `docker login {registry}` with one that may.");
        }

        return new RegistryAuthenticationException(
            registry,
            $"The registry {registry} refused the credentials of {Who(request.Credentials)} for the {request.Description} ({said}). Check docker-username and docker-password, or run `docker login {registry}`.");
    }

    /// <summary>The registry challenged for credentials and none were given (Basic), or its challenge is one this client cannot answer.</summary>
    public static RegistryAuthenticationException CannotAnswer(RegistryRequest request, AuthChallenge? challenge) =>
        challenge is null
            ? new RegistryAuthenticationException(
                request.Registry,
                $"The registry {request.Registry} answered 401 to the {request.Description} without a challenge this client understands (Basic or Bearer).")
            : Unauthorized(request, RegistryErrorBody.None, bearer: false);

    /// <summary>The token server's own refusal or failure.</summary>
    public static RegistryException TokenRefused(RegistryRequest request, Uri realm, HttpStatusCode status, RegistryErrorBody body)
    {
        var registry = request.Registry;
        var said = Said(status, body);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return new RegistryAuthenticationException(
                registry,
                $"The token server of registry {registry} ({realm.Host}) refused {Who(request.Credentials)} for the {request.Description} ({said}). "
                + $"Check docker-username and docker-password, or run `docker login {registry}`.");
        }

        return new RegistryRequestException(
            registry,
            $"The token request for the {request.Description} failed at {realm.Host}, the token server of registry {registry} ({said}).",
            status, body.Code, IsTransient(status, body));
    }

    /// <summary>A token server that answered, but not with a token.</summary>
    public static RegistryRequestException BadToken(RegistryRequest request, Uri realm, string reason, Exception inner) =>
        new(request.Registry, $"The token server of registry {request.Registry} ({realm.Host}) gave no usable token for the {request.Description}: {reason}.",
            null, null, isTransient: false, inner);

    /// <summary>No answer: the connection failed, or broke before the answer was complete.</summary>
    public static RegistryRequestException Unreachable(RegistryRequest request, string host, Exception exception)
    {
        var (reason, transient) = exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => ("host not found", false),
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } =>
                ("the TLS handshake failed: its certificate is not trusted, or it does not speak HTTPS", false),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError, InnerException: SocketException socket } => (Describe(socket.SocketErrorCode), true),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => ("the connection failed", true),
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => ("the connection closed before the answer", true),
            HttpRequestException { HttpRequestError: HttpRequestError.ProxyTunnelError } => ("the proxy refused the tunnel", true),
            _ => ("the connection broke", true),
        };
        return new RegistryRequestException(request.Registry, $"The {request.Description} failed: {host} is unreachable ({reason}).", null, null, transient, exception);
    }

    /// <summary>An answer that broke the protocol (a digest that does not match, a body too large, not a manifest).</summary>
    public static RegistryRequestException Invalid(RegistryRequest request, string reason, bool transient, Exception? inner = null) =>
        new(request.Registry, $"The {request.Description} got an answer from registry {request.Registry} that cannot be used: {reason}.", null, null, transient, inner);

    /// <summary>"user NAME", "an identity token", "anonymous access".</summary>
    public static string Who(RegistryCredentials? credentials) =>
        credentials is null ? "anonymous access"
        : RegistryAuthenticator.IdentityToken(credentials) is not null ? "an identity token"
        : $"user {credentials.Username}";

    // 408, 429 and 5xx may pass (the spec names 502–504 and TOOMANYREQUESTS; the engine's own policy retries every 5xx too);
    // 501 and 505 never will.
    private static bool IsTransient(HttpStatusCode status, RegistryErrorBody body) =>
        body.Has(RegistryErrorCode.TooManyRequests)
        || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not (HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported));

    private static string Advice(HttpStatusCode status, RegistryErrorBody body) =>
        status == HttpStatusCode.TooManyRequests || body.Has(RegistryErrorCode.TooManyRequests)
            ? ": the registry is rate limiting; wait, or authenticate for a higher limit."
            : ".";

    private static string Said(HttpStatusCode status, RegistryErrorBody body) =>
        body.Describe() is { } errors ? $"HTTP {(int)status}, {errors}" : $"HTTP {(int)status} {ReasonPhrase(status)}";

    private static string ReasonPhrase(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.MethodNotAllowed => "Method Not Allowed",
        HttpStatusCode.TooManyRequests => "Too Many Requests",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        HttpStatusCode.BadGateway => "Bad Gateway",
        HttpStatusCode.GatewayTimeout => "Gateway Timeout",
        HttpStatusCode.InternalServerError => "Internal Server Error",
        _ => status.ToString(),
    };

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.TimedOut => "timed out",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        _ => "the connection failed",
    };
}
