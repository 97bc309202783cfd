using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;

namespace CacheFrom.Tests.Support;

/// <summary>Where the tests find the engine, the registry and the base image (scripts/dev-engine.sh sets them up).</summary>
internal static class TestEnvironment
{
    /// <summary>The engine the tests talk to, resolved as the product resolves it (DOCKER_HOST, else Docker's default).</summary>
    public static string DockerHost => DockerEndpoint.Resolve(null, EnvironmentSnapshot.Current()).ToString();

    /// <summary>The unix socket of <see cref="DockerHost"/>, for tests that speak to the engine without the product.</summary>
    public static string DockerSocketPath
    {
        get
        {
            var host = DockerHost;
            if (!host.StartsWith("unix://", StringComparison.Ordinal))
                Assert.Fail($"this test needs the engine on a unix socket; DOCKER_HOST is {host}");
            return host["unix://".Length..];
        }
    }

    public static string Registry => Environment.GetEnvironmentVariable("CACHEFROM_TEST_REGISTRY") ?? "127.0.0.1:5000";

    /// <summary>The offline base image, pinned to the busybox-static package version.</summary>
    public static string BaseImage => Environment.GetEnvironmentVariable("CACHEFROM_BASE_IMAGE") ?? "cachefrom/busybox:1.35.0";

    /// <summary>The 20.10 CLI that matches the engine; used only to check results independently.</summary>
    public static string DockerCliPath => Environment.GetEnvironmentVariable("CACHEFROM_DOCKER_CLI") ?? "/usr/bin/docker";

    /// <summary>A repository no other test uses: <c>127.0.0.1:5000/cachefrom-tests/NAME-1a2b3c4d</c>.</summary>
    public static string UniqueRepository(string name) =>
        $"{Registry}/cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A local-only repository (no registry host), for tarball tests.</summary>
    public static string UniqueLocalRepository(string name) =>
        $"cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";
}
