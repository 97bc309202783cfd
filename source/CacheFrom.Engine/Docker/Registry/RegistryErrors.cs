namespace CacheFrom.Docker.Registry;

/// <summary>
/// Reads a registry error the engine relayed (inside a 200 stream, or as an HTTP error body)
/// and says what it means for the user. Engine messages never hold the password.
/// </summary>
internal static class RegistryErrors
{
    private static readonly string[] AuthenticationMarkers =
        ["unauthorized", "authentication required", "no basic auth credentials", "denied", "401"];

    public static bool IsAuthenticationFailure(string message) =>
        AuthenticationMarkers.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>Why the registry could not be reached, or null when it answered.</summary>
    public static string? UnreachableReason(string message) =>
        message.Contains("connection refused", StringComparison.OrdinalIgnoreCase) ? "connection refused"
        : message.Contains("no such host", StringComparison.OrdinalIgnoreCase) ? "host not found"
        : message.Contains("i/o timeout", StringComparison.OrdinalIgnoreCase)
            || message.Contains("deadline exceeded", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Client.Timeout", StringComparison.OrdinalIgnoreCase) ? "timed out"
        : message.Contains("network is unreachable", StringComparison.OrdinalIgnoreCase) ? "network unreachable"
        : message.Contains("connection reset", StringComparison.OrdinalIgnoreCase) ? "connection reset"
        : message.Contains("server gave HTTP response to HTTPS client", StringComparison.OrdinalIgnoreCase) ? "it speaks plain HTTP; add it to the engine's insecure-registries"
        : message.Contains("x509", StringComparison.OrdinalIgnoreCase) ? "its TLS certificate is not trusted"
        : null;

    /// <summary>The exception for a failed <paramref name="action"/> (e.g. "push of x:y") against <paramref name="registry"/>.</summary>
    public static RegistryException Classify(string registry, string action, string engineMessage, Exception? inner = null)
    {
        if (IsAuthenticationFailure(engineMessage))
        {
            return new RegistryAuthenticationException(
                registry,
                $"The registry {registry} refused the {action}: {engineMessage}. Check docker-username/docker-password, or run `docker login {registry}`.",
                inner);
        }

        if (UnreachableReason(engineMessage) is { } reason)
            return new RegistryException(registry, $"The {action} failed: registry {registry} is unreachable ({reason}).", inner);

        return new RegistryException(registry, $"The {action} failed at registry {registry}: {engineMessage}", inner);
    }
}
