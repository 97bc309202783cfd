using CacheFrom.Resilience;

namespace CacheFrom.Tests.Support;

/// <summary>Small helpers shared by the reliability tests.</summary>
internal static class ReliabilitySupport
{
    /// <summary>Retries short enough for a test to see several attempts in a second or two.</summary>
    public static RetryOptions FastRetries(TimeSpan? stallTimeout = null) => new()
    {
        MaxRetryAttempts = 3,
        BaseDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromMilliseconds(400),
        UseJitter = false,
        AttemptTimeout = TimeSpan.FromSeconds(10),
        StallTimeout = stallTimeout ?? TimeSpan.FromSeconds(10),
    };

    /// <summary>The log lines of retries (the executor's Warning template).</summary>
    public static IReadOnlyList<string> Retries(this TestLogger log) =>
        log.Warnings.Where(l => l.Contains("Transient failure in the", StringComparison.Ordinal)).ToList();
}
