namespace CacheFrom.Docker.Streams;

/// <summary>
/// Lets a long operation write one progress line every <see cref="Interval"/> at most, so a CI log
/// shows that it is alive without a line per layer chunk.
/// </summary>
internal sealed class ProgressThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly long _started = time.GetTimestamp();
    private long _last = time.GetTimestamp();

    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    /// <summary>True (and the clock restarts) when a progress line is due.</summary>
    public bool IsDue()
    {
        if (time.GetElapsedTime(_last) < Interval)
            return false;
        _last = time.GetTimestamp();
        return true;
    }
}
