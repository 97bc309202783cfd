using System.Net;

namespace CacheFrom.Distribution;

/// <summary>
/// Where a registry's API lives. Loopback registries (<c>127.0.0.0/8</c>, <c>localhost</c>,
/// <c>[::1]</c>) are spoken to in plain HTTP, as the engine does with no configuration; every
/// other registry over HTTPS. Docker Hub's API host is <c>registry-1.docker.io</c>.
/// </summary>
internal static class RegistryEndpoint
{
    private static readonly Uri DockerHubApi = new("https://registry-1.docker.io/");

    public static Uri BaseUri(string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        if (registry == RegistryRepository.DockerHub)
            return DockerHubApi;
        var scheme = IsLoopback(registry) ? "http" : "https";
        return new Uri($"{scheme}://{registry}/");
    }

    /// <summary><paramref name="registry"/> is <c>HOST</c> or <c>HOST:PORT</c>, with IPv6 hosts in brackets.</summary>
    public static bool IsLoopback(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var host = Host(registry);
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    private static string Host(string registry)
    {
        if (registry.StartsWith('['))
        {
            var close = registry.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? registry[1..close] : registry;
        }

        var colon = registry.LastIndexOf(':');
        return colon > 0 ? registry[..colon] : registry;
    }
}
