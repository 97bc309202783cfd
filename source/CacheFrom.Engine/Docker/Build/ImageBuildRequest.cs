using CacheFrom.Configuration;

namespace CacheFrom.Docker.Build;

/// <summary>One call to the engine's build endpoint.</summary>
internal sealed record ImageBuildRequest
{
    /// <summary>Absolute path of the build context directory (a tar body, or streamed by the session).</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>Absolute path of the Dockerfile; may lie outside the context.</summary>
    public required string DockerfilePath { get; init; }

    /// <summary><c>--target</c>, or null for the final stage.</summary>
    public string? Target { get; init; }

    /// <summary>Full references (<c>repo:tag</c>) to tag the result with.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Cache sources in priority order (builder-first for the classic builder).</summary>
    public IReadOnlyList<string> CacheFrom { get; init; } = [];

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public BuilderKind Builder { get; init; } = BuilderKind.BuildKit;

    /// <summary>Adds <c>BUILDKIT_INLINE_CACHE=1</c> so the image carries its cache metadata (BuildKit only).</summary>
    public bool InlineCache { get; init; } = true;

    /// <summary>A BuildKit session id (<c>session=</c>), when a session serves the context, credentials, secrets or ssh.</summary>
    public string? SessionId { get; init; }

    /// <summary>
    /// The session streams the context (FileSync): the build sends <c>remote=client-session</c> and
    /// no body, as the docker CLI does. BuildKit with a <see cref="SessionId"/> only.
    /// </summary>
    public bool ContextInSession { get; init; }

    /// <summary>Credentials the classic builder uses to pull base images (<c>X-Registry-Config</c>).</summary>
    public IReadOnlyDictionary<string, RegistryCredentials> RegistryConfig { get; init; } = new Dictionary<string, RegistryCredentials>();

    /// <summary>What the logs call this build, e.g. <c>stage builder</c>.</summary>
    public required string DisplayName { get; init; }
}
