namespace CacheFrom.Tests.Support;

/// <summary>The system clock moved forward by <see cref="Offset"/> (timers run on real time): lets a test age cached tokens.</summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
