using System.Text.RegularExpressions;

namespace CacheFrom.Resilience;

/// <summary>
/// Is a registry failure worth another attempt? The engine relays the registry's errors as text,
/// so this reads the text: a refused, reset or timed-out connection, an early EOF, a 5xx or 429
/// are transient; a refused login, a missing tag or anything unrecognised is not — retrying those
/// only delays the message the user needs.
/// </summary>
internal static partial class TransientFaults
{
    private static readonly string[] PermanentMarkers =
    [
        "unauthorized", "authentication required", "no basic auth credentials", "denied",
        "does not exist", "manifest unknown", "name unknown", "not found", "no such image",
    ];

    private static readonly string[] TransientMarkers =
    [
        "connection refused", "connection reset", "broken pipe", "network unreachable", "network is unreachable",
        "i/o timeout", "timed out", "timeout", "deadline exceeded", "EOF",
        "Service Unavailable", "Bad Gateway", "Gateway Timeout", "Internal Server Error", "Too Many Requests", "toomanyrequests",
    ];

    public static bool IsTransient(RegistryException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RegistryAuthenticationException)
            return false;
        return IsTransient(exception.Message);
    }

    public static bool IsTransient(string message)
    {
        if (PermanentMarkers.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase)))
            return false;
        return TransientMarkers.Any(m => message.Contains(m, StringComparison.Ordinal) || (m != "EOF" && message.Contains(m, StringComparison.OrdinalIgnoreCase)))
            || StatusCode().IsMatch(message);
    }

    // "status: 503", "status code 502", "HTTP status 429": a bare number could be a port (127.0.0.1:5000).
    [GeneratedRegex(@"status(?: code)?:?\s*(5\d\d|429)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StatusCode();
}
