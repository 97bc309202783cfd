using System.Text;
using System.Text.Json;
using CacheFrom.Configuration;
using Docker.DotNet.Models;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Credentials in the engine's shapes (user and password, or an identity token): an <see cref="AuthConfig"/>, the <c>X-Registry-Auth</c>
/// header (always sent: the engine wants it even for anonymous registries, as <c>{}</c>) and the
/// <c>X-Registry-Config</c> header (per-registry map the classic builder pulls base images with).
/// </summary>
internal static class RegistryAuth
{
    public const string AuthHeader = "X-Registry-Auth";

    public const string ConfigHeader = "X-Registry-Config";

    public static AuthConfig ToAuthConfig(RegistryCredentials? credentials, string serverAddress) =>
        credentials switch
        {
            null => new AuthConfig(),
            { IsIdentityToken: true } => new AuthConfig { IdentityToken = credentials.IdentityToken, ServerAddress = serverAddress },
            _ => new AuthConfig { Username = credentials.Username, Password = credentials.Password, ServerAddress = serverAddress },
        };

    public static string AuthHeaderValue(RegistryCredentials? credentials, string serverAddress) =>
        Encode(credentials is null ? new Dictionary<string, string>() : Entry(credentials, serverAddress));

    public static string ConfigHeaderValue(IReadOnlyDictionary<string, RegistryCredentials> registries) =>
        Encode(registries.ToDictionary(r => r.Key, r => Entry(r.Value, r.Key), StringComparer.Ordinal));

    // The engine's AuthConfig fields; an identity token goes as identitytoken, which the engine exchanges itself.
    private static Dictionary<string, string> Entry(RegistryCredentials credentials, string serverAddress) =>
        credentials.IsIdentityToken
            ? new(StringComparer.Ordinal) { ["identitytoken"] = credentials.IdentityToken!, ["serveraddress"] = serverAddress }
            : new(StringComparer.Ordinal) { ["username"] = credentials.Username, ["password"] = credentials.Password, ["serveraddress"] = serverAddress };

    // URL-safe base64 with padding, as the docker CLI sends it.
    private static string Encode<T>(T value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).Replace('+', '-').Replace('/', '_');
}
