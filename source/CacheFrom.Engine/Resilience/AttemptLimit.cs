namespace CacheFrom.Resilience;

/// <summary>How one attempt of an operation is bounded.</summary>
internal enum AttemptLimit
{
    /// <summary>A fixed time for the whole attempt (<see cref="RetryOptions.AttemptTimeout"/>): existence checks.</summary>
    Timeout,

    /// <summary>A time without progress (<see cref="RetryOptions.StallTimeout"/>), restarted by each heartbeat: pushes and pulls.</summary>
    Stall,
}
