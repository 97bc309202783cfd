namespace CacheFrom.Docker.Connection;

/// <summary>
/// Where the engine is: the explicit host, else DOCKER_HOST, else the local socket — the same
/// order as the docker CLI, minus contexts (CI runners configure DOCKER_HOST, not contexts).
/// </summary>
internal sealed record DockerEndpoint(Uri Uri, string Source)
{
    public const string DefaultHost = "unix:///var/run/docker.sock";

    /// <summary>How to point elsewhere; part of every "no engine" message.</summary>
    public const string Advice =
        "Start the Docker daemon, or set DOCKER_HOST to a running engine (unix:///path/docker.sock or tcp://host:2375).";

    public bool IsTcp => Uri.Scheme is "tcp" or "http" or "https";

    public override string ToString() => Uri.Scheme == "unix" ? $"unix://{Uri.AbsolutePath}" : Uri.ToString().TrimEnd('/');

    public static DockerEndpoint Resolve(string? dockerHost, IReadOnlyDictionary<string, string?> environment)
    {
        var (value, source) = !string.IsNullOrWhiteSpace(dockerHost)
            ? (dockerHost.Trim(), "docker host parameter")
            : environment.GetValueOrDefault("DOCKER_HOST") is { Length: > 0 } fromEnvironment
                ? (fromEnvironment.Trim(), "DOCKER_HOST")
                : (DefaultHost, "default socket");

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https"))
        {
            throw new CacheFromException(
                $"'{value}' (from {source}) is not a Docker endpoint: use unix:///path/docker.sock or tcp://host:port.");
        }

        if (uri.Scheme is "tcp" or "http" && IsTlsRequested(environment))
        {
            // Docker.DotNet's TLS needs client certificates wired into its handler; not built yet.
            throw new CacheFromException(
                $"DOCKER_TLS_VERIFY is set for {value}, but CacheFrom does not support TLS connections to the engine yet. "
                + "Use a unix socket or an unencrypted tcp:// endpoint (e.g. through an SSH tunnel), or unset DOCKER_TLS_VERIFY.");
        }

        if (uri.Scheme == "https")
        {
            throw new CacheFromException(
                $"'{value}' asks for TLS, but CacheFrom does not support TLS connections to the engine yet. "
                + "Use a unix socket or an unencrypted tcp:// endpoint.");
        }

        return new DockerEndpoint(uri, source);
    }

    private static bool IsTlsRequested(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("DOCKER_TLS_VERIFY") is { Length: > 0 } verify && verify != "0"
        && !string.Equals(verify, "false", StringComparison.OrdinalIgnoreCase);
}
