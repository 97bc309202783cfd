namespace CacheFrom.Resilience;

/// <summary>
/// Bounded retries with exponential backoff for registry operations (existence checks, pulls,
/// pushes). Plain options with their defaults in <see cref="RetryDefaults"/>; validated once with
/// the other parameters (<see cref="Validate"/>).
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt; 0 turns retries off.</summary>
    public int MaxRetryAttempts { get; set; } = RetryDefaults.MaxRetryAttempts;

    /// <summary>The delay before the first retry; it doubles for each further retry.</summary>
    public TimeSpan BaseDelay { get; set; } = RetryDefaults.BaseDelay;

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = RetryDefaults.MaxDelay;

    /// <summary>Vary each delay by ±25 %.</summary>
    public bool UseJitter { get; set; } = RetryDefaults.UseJitter;

    /// <summary>The longest one existence check may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = RetryDefaults.AttemptTimeout;

    /// <summary>The longest a push or pull may go without progress before the attempt is cancelled.</summary>
    public TimeSpan StallTimeout { get; set; } = RetryDefaults.StallTimeout;

    /// <summary>Every problem with these options, for one combined configuration message; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxRetryAttempts is < 0 or > 20)
            problems.Add($"retry MaxRetryAttempts must be between 0 and 20 (was {MaxRetryAttempts})");
        if (BaseDelay < TimeSpan.Zero || BaseDelay > TimeSpan.FromMinutes(1))
            problems.Add($"retry BaseDelay must be between 0 and 1 minute (was {BaseDelay})");
        if (MaxDelay < BaseDelay || MaxDelay > TimeSpan.FromMinutes(5))
            problems.Add($"retry MaxDelay must be between BaseDelay and 5 minutes (was {MaxDelay})");
        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromHours(1))
            problems.Add($"retry AttemptTimeout must be more than 0 and at most 1 hour (was {AttemptTimeout})");
        if (StallTimeout <= TimeSpan.Zero || StallTimeout > TimeSpan.FromHours(1))
            problems.Add($"retry StallTimeout must be more than 0 and at most 1 hour (was {StallTimeout})");
        return problems;
    }

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1-based): BaseDelay × 2^(retry−1),
    /// capped at MaxDelay, then jittered with <paramref name="random"/> in [0, 1).
    /// </summary>
    internal TimeSpan DelayBefore(int retry, double random)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var factor = UseJitter ? 0.75 + (0.5 * random) : 1.0;
        return TimeSpan.FromMilliseconds(Math.Min(capped * factor, MaxDelay.TotalMilliseconds));
    }
}
