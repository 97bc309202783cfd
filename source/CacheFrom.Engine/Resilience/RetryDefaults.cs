namespace CacheFrom.Resilience;

/// <summary>
/// The retry defaults, in one place (tests pin them). Small on purpose: the engine already
/// retries single layer transfers itself, so these retries cover what it gives up on — a
/// refused or reset connection, a 5xx, a stalled transfer — and a dead registry costs seconds, not minutes.
/// </summary>
public static class RetryDefaults
{
    /// <summary>Retries after the first attempt: four attempts in all.</summary>
    public const int MaxRetryAttempts = 3;

    /// <summary>The first delay; each further one doubles (1 s, 2 s, 4 s).</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>No delay is longer than this, however many retries.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    /// <summary>Delays vary by ±25 % so parallel CI jobs do not retry in lockstep.</summary>
    public const bool UseJitter = true;

    /// <summary>
    /// How long one existence check may take. The engine answers one in tens of milliseconds;
    /// its own connect timeout to a registry is 30 s.
    /// </summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a push or pull may go without a progress message from the engine before the
    /// attempt counts as stalled. Not a limit on the whole transfer: a large image may take long, as long as it moves.
    /// </summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);
}
