namespace CacheFrom.Tests.Support;

/// <summary>A clock whose date is fixed (timers and timestamps stay real): for code that dates things, such as retention.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
