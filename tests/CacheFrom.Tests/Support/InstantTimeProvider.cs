using System.Collections.Concurrent;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A clock for retry tests: timers due within <see cref="InstantUpTo"/> fire at once (and their
/// due times are recorded: the retry delays, at most 10 s by default); longer ones (attempt limits, 30 s and more) never fire.
/// </summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    public static readonly TimeSpan InstantUpTo = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. _delays];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new InstantTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class InstantTimer(InstantTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || dueTime > InstantUpTo)
                return true;
            owner._delays.Enqueue(dueTime);
            // Never inside Change: the caller may not have stored the timer yet.
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
