using System.Text;
using System.Text.Json;

namespace CacheFrom.Configuration;

/// <summary>
/// Reads credentials from the Docker config file (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>): the base64 <c>auth</c> entry under <c>auths</c>.
/// Credential helpers (<c>credsStore</c>) are not run.
/// </summary>
internal static class DockerConfigCredentials
{
    public static RegistryCredentials? Find(string registryKey, IReadOnlyDictionary<string, string?> environment)
    {
        var directory = environment.GetValueOrDefault("DOCKER_CONFIG")
            ?? Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var file = Path.Combine(directory, "config.json");
        if (!File.Exists(file))
            return null;

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
                return null;
            foreach (var entry in auths.EnumerateObject())
            {
                if (!Matches(entry.Name, registryKey))
                    continue;
                if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
                {
                    var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && colon < decoded.Length - 1)
                        return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
                }
            }
        }
        catch (Exception exception) when (exception is JsonException or FormatException or IOException)
        {
            // An unreadable config is the same as no credentials; the registry will say 401 and we report that.
            return null;
        }

        return null;
    }

    private static bool Matches(string key, string registry)
    {
        var host = key;
        foreach (var scheme in new[] { "https://", "http://" })
        {
            if (host.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                host = host[scheme.Length..];
        }

        host = host.TrimEnd('/');
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && !registry.Contains('/', StringComparison.Ordinal))
            host = host[..slash];
        return string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)
            || string.Equals(key, registry, StringComparison.OrdinalIgnoreCase);
    }
}
