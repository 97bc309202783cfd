using System.Text.Json;
using CacheFrom.Docker.Streams;

namespace CacheFrom.Docker.Connection;

/// <summary>The <c>message</c> of an engine error response (<c>{"message":"…"}</c>), or the raw body.</summary>
internal static class EngineErrorBody
{
    public static string Message(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return "no details";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.GetString("message") is { Length: > 0 } message)
                return message.Trim();
        }
        catch (JsonException)
        {
            // Not JSON: the body itself is the best message there is.
        }

        return body.Trim();
    }
}
