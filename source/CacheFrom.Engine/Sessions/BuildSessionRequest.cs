using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;

namespace CacheFrom.Sessions;

/// <summary>What one session serves.</summary>
public sealed class BuildSessionRequest
{
    /// <summary>The engine endpoint (<c>unix:///…</c> or <c>tcp://…</c>); null: DOCKER_HOST, else the local socket.</summary>
    public string? DockerHost { get; init; }

    /// <summary>The engine's resolved endpoint (TLS material included) when the caller has one; else <see cref="DockerHost"/> is resolved.</summary>
    internal DockerEndpoint? Endpoint { get; init; }

    /// <summary>The negotiated API version, e.g. <c>1.41</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>Credentials by registry host (e.g. <c>127.0.0.1:5000</c>), answered to the engine's auth callbacks.</summary>
    public IReadOnlyDictionary<string, RegistryCredentials> Credentials { get; init; } = new Dictionary<string, RegistryCredentials>();

    public IReadOnlyList<BuildSecret> Secrets { get; init; } = [];

    /// <summary><c>default</c> (SSH_AUTH_SOCK) or a socket path; null: no ssh forwarding.</summary>
    public string? Ssh { get; init; }

    /// <summary>The build context to stream over the session (FileSync); null: the build sends it some other way.</summary>
    public BuildSessionContext? Context { get; init; }

    /// <summary>Where relative secret file paths start.</summary>
    public required string WorkingDirectory { get; init; }
}
