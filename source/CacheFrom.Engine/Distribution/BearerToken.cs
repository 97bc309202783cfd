using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>
/// A token server's answer (docker token auth spec; OAuth2 form): <c>token</c> or
/// <c>access_token</c>, and <c>expires_in</c> (60 s when absent). Never printed.
/// </summary>
internal sealed class BearerToken
{
    /// <summary>The spec's default lifetime and the shortest a server should issue.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    // Renew a little early: a token that expires in flight costs a 401 and a second token request.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private BearerToken(string value, DateTimeOffset expiresAt)
    {
        Value = value;
        ExpiresAt = expiresAt;
    }

    public string Value { get; }

    public DateTimeOffset ExpiresAt { get; }

    public bool IsValidAt(DateTimeOffset now) => now < ExpiresAt - Margin;

    /// <summary>Reads the token server's JSON; throws <see cref="InvalidDataException"/> when it holds no token.</summary>
    public static BearerToken Parse(ReadOnlySpan<byte> json, DateTimeOffset now)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("the token server's answer is not a JSON object");
            var value = Descriptor.String(root, "token") is { Length: > 0 } token ? token
                : Descriptor.String(root, "access_token") is { Length: > 0 } access ? access
                : throw new InvalidDataException("the token server's answer holds no token");
            var lifetime = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultLifetime;
            return new BearerToken(value, now + lifetime);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException("the token server's answer is not JSON", exception);
        }
    }

    public override string ToString() => "Bearer ***";
}
