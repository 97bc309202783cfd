using System.Globalization;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// Where the engine is and how to reach it, read the way the docker CLI reads it: the explicit
/// host, else <c>DOCKER_HOST</c>, else the local socket (<c>tcp://localhost:2376</c> when TLS is
/// asked for). <c>unix://PATH</c>, <c>tcp://HOST[:PORT]</c> or a bare <c>HOST:PORT</c>; a
/// missing port is 2375, as in the CLI, even with TLS. TLS (<see cref="EngineTls"/>) applies to
/// tcp endpoints only. Contexts are not read: CI runners configure DOCKER_HOST. The one parser
/// of engine endpoints: the engine API client and the BuildKit session both connect through
/// <see cref="EngineStream"/> with it.
/// </summary>
internal sealed class DockerEndpoint
{
    public const string DefaultSocket = "/var/run/docker.sock";

    public const int DefaultPort = 2375;

    public const int DefaultTlsPort = 2376;

    /// <summary>How to point elsewhere; part of every "no engine" message.</summary>
    public const string Advice =
        "Start the Docker daemon, or set DOCKER_HOST to a running engine (unix:///path/docker.sock, tcp://host:2375, "
        + "or tcp://host:2376 with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS).";

    private DockerEndpoint(string? socketPath, string? host, int port, EngineTls? tls, string source)
    {
        SocketPath = socketPath;
        Host = host;
        Port = port;
        Tls = tls;
        Source = source;
    }

    /// <summary>The unix socket; null for a tcp endpoint.</summary>
    public string? SocketPath { get; }

    /// <summary>The tcp host (a name or an IP address, without brackets); null for a unix socket.</summary>
    public string? Host { get; }

    public int Port { get; }

    /// <summary>TLS settings for a tcp endpoint; null: plain.</summary>
    public EngineTls? Tls { get; }

    /// <summary>Where the endpoint came from: "DOCKER_HOST", "docker host parameter", "default socket", …</summary>
    public string Source { get; }

    public bool IsUnix => SocketPath is not null;

    /// <summary>The HTTP <c>Host</c> header for requests on a raw connection.</summary>
    public string HostHeader => IsUnix ? "docker" : Authority;

    /// <summary>
    /// The address Docker.DotNet builds request URLs from. Always <c>http</c>: the connection,
    /// TLS included, is opened by <see cref="EngineStream"/>, not by the HTTP handler.
    /// </summary>
    public Uri ApiUri => new(IsUnix ? "http://docker/" : $"http://{Authority}/");

    private string Authority =>
        (Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => IsUnix ? "unix://" + SocketPath : "tcp://" + Authority;

    public static DockerEndpoint Resolve(string? dockerHost, IReadOnlyDictionary<string, string?> environment)
    {
        var fromEnvironment = environment.GetValueOrDefault("DOCKER_HOST");
        var (value, source) = !string.IsNullOrWhiteSpace(dockerHost)
            ? (dockerHost.Trim(), "docker host parameter")
            : !string.IsNullOrWhiteSpace(fromEnvironment)
                ? (fromEnvironment.Trim(), "DOCKER_HOST")
                : ("", "");

        if (value.Length == 0)
        {
            // As the CLI: asking for TLS without a host means the local TLS port.
            return EngineTls.IsRequested(environment)
                ? new DockerEndpoint(null, "localhost", DefaultTlsPort, EngineTls.FromEnvironment(environment), "default TLS endpoint")
                : new DockerEndpoint(DefaultSocket, null, 0, null, "default socket");
        }

        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            if (value.StartsWith('/'))
                throw Invalid(value, source, $"a socket path needs the unix:// scheme (unix://{value})");
            return Tcp(value, value, source, environment);
        }

        var scheme = value[..schemeEnd].ToLowerInvariant();
        var rest = value[(schemeEnd + 3)..];
        return scheme switch
        {
            "unix" when rest.Contains("://", StringComparison.Ordinal) => throw Invalid(value, source, "it holds a second scheme"),
            "unix" => new DockerEndpoint(rest.Length == 0 ? DefaultSocket : rest, null, 0, null, source),
            "tcp" => Tcp(value, rest, source, environment),
            "http" or "https" => throw Invalid(
                value,
                source,
                "Docker writes engine endpoints as tcp://host:port, never http(s)://; for TLS use tcp://host:2376 with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"),
            "ssh" => throw Invalid(
                value,
                source,
                "ssh:// endpoints need the docker CLI's ssh helper, which CacheFrom does not have; forward the engine's socket instead "
                + "(ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock user@host) and set DOCKER_HOST=unix:///tmp/docker.sock"),
            _ => throw Invalid(value, source, $"the scheme {scheme}:// is not supported"),
        };
    }

    private static DockerEndpoint Tcp(string value, string address, string source, IReadOnlyDictionary<string, string?> environment)
    {
        if (address.Contains("://", StringComparison.Ordinal))
            throw Invalid(value, source, "it holds a second scheme");

        var slash = address.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (address[slash..] != "/")
                throw Invalid(value, source, "a path after host:port is not supported");
            address = address[..slash];
        }

        string host;
        string port;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                throw Invalid(value, source, "an IPv6 address needs its closing ']'");
            host = address[1..close];
            var after = address[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
                throw Invalid(value, source, "only :port may follow an IPv6 address");
            port = after.TrimStart(':');
        }
        else
        {
            var colons = address.Count(c => c == ':');
            if (colons > 1)
                throw Invalid(value, source, "write an IPv6 address in brackets (tcp://[::1]:2376)");
            var colon = address.IndexOf(':', StringComparison.Ordinal);
            (host, port) = colon < 0 ? (address, "") : (address[..colon], address[(colon + 1)..]);
        }

        var number = DefaultPort;
        if (port.Length > 0
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            throw Invalid(value, source, $"'{port}' is not a port number");
        }

        return new DockerEndpoint(null, host.Length == 0 ? "localhost" : host, number, EngineTls.FromEnvironment(environment), source);
    }

    private static CacheFromException Invalid(string value, string source, string why) =>
        new($"'{value}' (from {source}) is not a Docker endpoint: {why}. Use unix:///path/docker.sock or tcp://host:port.");
}
