namespace CacheFrom.Docker.Connection;

/// <summary>
/// Picks the API version: the highest both the engine and Docker.DotNet.Enhanced speak. Never a
/// fixed version: old engines reject newer versions and new engines (Docker 29) reject old ones.
/// </summary>
internal static class ApiVersionNegotiation
{
    /// <summary>The newest API Docker.DotNet.Enhanced 4.3.3's models were generated against (Docker 29.4).</summary>
    public static readonly Version ClientMaximum = new(1, 54);

    /// <summary>The oldest API this code was tested against (Docker 20.10); older engines lack BuildKit's build API.</summary>
    public static readonly Version ClientMinimum = new(1, 41);

    public static Version Negotiate(string? engineMaximum, string? engineMinimum, string endpoint)
    {
        if (!Version.TryParse(engineMaximum, out var maximum))
            throw new DockerEngineUnavailableException($"The Docker engine at {endpoint} did not report its API version (GET /version). {DockerEndpoint.Advice}");
        var minimum = Version.TryParse(engineMinimum, out var parsed) ? parsed : null;

        var chosen = maximum < ClientMaximum ? maximum : ClientMaximum;
        if (chosen < ClientMinimum)
        {
            throw new CacheFromException(
                $"The Docker engine at {endpoint} speaks API {maximum} at most; CacheFrom needs {ClientMinimum} (Docker 20.10) or newer. Upgrade the engine.");
        }

        if (minimum is not null && chosen < minimum)
        {
            throw new CacheFromException(
                $"The Docker engine at {endpoint} needs API {minimum} or newer; CacheFrom speaks up to {ClientMaximum}. Upgrade CacheFrom.");
        }

        return chosen;
    }
}
