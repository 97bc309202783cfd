using System.Text;
using System.Text.Json;

namespace CacheFrom.Configuration;

/// <summary>
/// Registry credentials from the Docker config file (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>), looked up as the docker CLI looks them up: the helper of
/// <c>credHelpers[registry]</c>, else the <c>credsStore</c> helper, else the <c>auths</c> entry
/// (<c>auth</c> as base64 <c>user:password</c>, <c>username</c>/<c>password</c>, or
/// <c>identitytoken</c>). As in the CLI, a configured helper is the only source: when it has
/// nothing for the registry, the registry is used anonymously. Docker Hub is
/// <c>https://index.docker.io/v1/</c> (also for <c>docker.io</c>, <c>index.docker.io</c> and
/// <c>registry-1.docker.io</c>); other registries are <c>host[:port]</c>, and config keys match
/// with or without a scheme or path (<c>https://registry.example.com/v2/</c>).
/// </summary>
internal static class DockerConfigCredentials
{
    public const string DockerHubKey = "https://index.docker.io/v1/";

    /// <summary>Credentials for <paramref name="registry"/> (a host[:port], a Hub alias or a config key) and where they came from.</summary>
    public static DockerConfigLookup Find(string registry, IReadOnlyDictionary<string, string?> environment, TimeSpan? helperTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var key = Key(registry);
        var file = ConfigFile(environment);
        if (!File.Exists(file))
            return new DockerConfigLookup(null, "no Docker config file");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(file));
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            // As before: an unreadable config is no credentials; a registry that needs them answers 401 and we say so.
            return new DockerConfigLookup(null, $"{file} could not be read");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new DockerConfigLookup(null, $"{file} holds no object");

            if (Entry(root, "credHelpers", key) is { ValueKind: JsonValueKind.String } helper && helper.GetString() is { Length: > 0 } helperName)
                return FromHelper(helperName, key, $"credHelpers in {file}", helperTimeout);

            if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } storeName)
                return FromHelper(storeName, key, $"credsStore in {file}", helperTimeout);

            if (Entry(root, "auths", key) is { ValueKind: JsonValueKind.Object } auth)
                return new DockerConfigLookup(FromAuthEntry(auth), $"auths in {file}");

            return new DockerConfigLookup(null, $"no entry in {file}");
        }
    }

    /// <summary>The key docker files a registry under: Docker Hub's index address, else the host[:port] without scheme or path.</summary>
    public static string Key(string registry)
    {
        var host = Hostname(registry);
        return host.ToLowerInvariant() is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? DockerHubKey : host;
    }

    private static DockerConfigLookup FromHelper(string name, string key, string origin, TimeSpan? timeout)
    {
        var credentials = CredentialHelper.Get(name, key, origin, timeout);
        return new DockerConfigLookup(credentials, $"credential helper {CredentialHelper.Prefix}{name} ({origin})");
    }

    /// <summary>The entry of <paramref name="section"/> for <paramref name="key"/>: the exact key first, then any key naming the same host.</summary>
    private static JsonElement? Entry(JsonElement root, string section, string key)
    {
        if (!root.TryGetProperty(section, out var entries) || entries.ValueKind != JsonValueKind.Object)
            return null;
        if (entries.TryGetProperty(key, out var exact))
            return exact;
        foreach (var entry in entries.EnumerateObject())
        {
            if (string.Equals(Key(entry.Name), key, StringComparison.OrdinalIgnoreCase))
                return entry.Value;
        }

        return null;
    }

    private static RegistryCredentials? FromAuthEntry(JsonElement entry)
    {
        if (Text(entry, "identitytoken") is { Length: > 0 } token)
            return RegistryCredentials.FromIdentityToken(token);

        if (Text(entry, "auth") is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            var password = colon > 0 ? decoded[(colon + 1)..].Trim('\0') : "";
            return colon > 0 && password.Length > 0 ? new RegistryCredentials(decoded[..colon], password) : null;
        }

        return Text(entry, "username") is { Length: > 0 } username && Text(entry, "password") is { Length: > 0 } plain
            ? new RegistryCredentials(username, plain)
            : null;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // docker's ConvertToHostname: drop a scheme, keep host[:port], drop any path.
    private static string Hostname(string value)
    {
        var rest = value.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
            rest = rest[(scheme + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? rest[..slash] : rest;
    }

    private static string ConfigFile(IReadOnlyDictionary<string, string?> environment)
    {
        var directory = environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } config
            ? config
            : Path.Combine(
                environment.GetValueOrDefault("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".docker");
        return Path.Combine(directory, "config.json");
    }
}
