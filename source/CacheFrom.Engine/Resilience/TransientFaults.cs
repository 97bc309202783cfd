using CacheFrom.Docker.Registry;

namespace CacheFrom.Resilience;

/// <summary>
/// Is a registry failure worth another attempt? Decided on what the failure is
/// (<see cref="RegistryErrors"/>), not on words in its message: refused, reset or timed-out
/// connections, early EOFs, 5xx answers, rate limits and a manifest refused while its layers were
/// still being uploaded by a concurrent push are transient; a refused login, a denial,
/// a missing tag, an unknown host, an untrusted certificate or anything unrecognised are not —
/// retrying those only delays the message the user needs.
/// </summary>
internal static class TransientFaults
{
    public static bool IsTransient(RegistryFailureKind kind) =>
        kind is RegistryFailureKind.Unreachable or RegistryFailureKind.TimedOut or RegistryFailureKind.RateLimited or RegistryFailureKind.ServerError
            or RegistryFailureKind.ManifestLayersPending;

    public static bool IsTransient(RegistryException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RegistryAuthenticationException)
            return false;
        // The distribution client decides from the HTTP status and the spec's error code, not from text.
        if (exception is Distribution.RegistryRequestException request)
            return request.IsTransient;
        return IsTransient(exception.Kind ?? RegistryErrors.Read(exception.Message).Kind);
    }

    /// <summary>An engine or registry message, read as <see cref="RegistryErrors.Read"/> reads it.</summary>
    public static bool IsTransient(string message) => IsTransient(RegistryErrors.Read(message).Kind);
}
