namespace CacheFrom.Tests.Support;

/// <summary>
/// Where the tests find their engine, registry and base image: a test engine of scripts/engines.sh
/// (<c>eval "$(bash scripts/engines.sh env d26c)"</c> sets these; scripts/test.sh does it per engine).
/// The engine has no default: the default socket is where a user's own engine listens.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>
    /// The test engine, <c>DOCKER_HOST</c>; unset is an error, never <c>/var/run/docker.sock</c>.
    /// The code under test reads <c>DOCKER_HOST</c> itself: this is for what the tests open on their own.
    /// </summary>
    public static string DockerHost =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && host.Trim() != NoEngineHost
            ? host.Trim()
            : throw new NotATestEngineException(
                "DOCKER_HOST is not set: the Docker tests run only against a test engine of scripts/engines.sh, never the default socket. "
                + TestEngine.HowToStartOne);

    /// <summary>Where DOCKER_HOST points when it was not set (<see cref="NoDefaultEngine"/>): a socket where nothing listens.</summary>
    public const string NoEngineHost = "unix:///nonexistent/cachefrom-tests-without-DOCKER_HOST.sock";

    /// <summary>The test engine's unix socket, for tests that speak HTTP to the engine directly.</summary>
    public static string DockerSocketPath =>
        DockerHost is var host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : throw new NotATestEngineException($"DOCKER_HOST={host} is not a unix socket; the test engines of scripts/engines.sh listen on one.");

    /// <summary>Which test engine DOCKER_HOST is (d20, d26, d26c; <c>scripts/engines.sh env</c> says); d20 when unsaid.</summary>
    public static string EngineName => Environment.GetEnvironmentVariable("CACHEFROM_TEST_ENGINE") is { Length: > 0 } name ? name : "d20";

    /// <summary>The test registry (<c>127.0.0.1:5100</c> is scripts/engines.sh's, slot 0).</summary>
    public static string Registry => Environment.GetEnvironmentVariable("CACHEFROM_TEST_REGISTRY") ?? "127.0.0.1:5100";

    /// <summary>The offline base image, pinned to the busybox-static package version.</summary>
    public static string BaseImage => Environment.GetEnvironmentVariable("CACHEFROM_BASE_IMAGE") ?? "cachefrom/busybox:1.35.0";

    /// <summary>The 20.10 CLI; it talks to every test engine (API negotiation). Used only to check results independently.</summary>
    public static string DockerCliPath => Environment.GetEnvironmentVariable("CACHEFROM_DOCKER_CLI") ?? "/usr/bin/docker";

    /// <summary>A repository no other test uses: <c>127.0.0.1:5100/cachefrom-tests/NAME-1a2b3c4d</c>.</summary>
    public static string UniqueRepository(string name) =>
        $"{Registry}/cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A local-only repository (no registry host), for tarball tests.</summary>
    public static string UniqueLocalRepository(string name) =>
        $"cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";
}
