namespace CacheFrom.Resilience;

/// <summary>
/// Bounds one attempt: a token that the caller's cancellation or the attempt's own limit cancels.
/// For <see cref="AttemptLimit.Stall"/> every <see cref="Heartbeat"/> restarts the clock, so a long
/// transfer that keeps moving is never cut off; one that stops moving is.
/// </summary>
internal sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _limit;
    private readonly CancellationTokenSource _linked;
    private readonly TimeSpan _duration;
    private readonly bool _restartOnHeartbeat;

    public AttemptDeadline(AttemptLimit limit, RetryOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        _restartOnHeartbeat = limit == AttemptLimit.Stall;
        _duration = _restartOnHeartbeat ? options.StallTimeout : options.AttemptTimeout;
        _limit = new CancellationTokenSource(_duration, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _limit.Token);
        Heartbeat = OnHeartbeat;
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Call on every sign of progress (a progress message from the engine).</summary>
    public Action Heartbeat { get; }

    /// <summary>True when the attempt's own limit (not the caller) cancelled it.</summary>
    public bool Expired => _limit.IsCancellationRequested;

    /// <summary>"timed out after 30 s" or "stalled: no progress for 60 s".</summary>
    public string Describe() => _restartOnHeartbeat
        ? $"stalled: no progress from the engine for {_duration.TotalSeconds:0.#} s"
        : $"timed out after {_duration.TotalSeconds:0.#} s";

    public void Dispose()
    {
        _linked.Dispose();
        _limit.Dispose();
    }

    private void OnHeartbeat()
    {
        if (!_restartOnHeartbeat)
            return;
        try
        {
            // Once expired it stays expired: restarting a cancelled source does nothing.
            _limit.CancelAfter(_duration);
        }
        catch (ObjectDisposedException)
        {
            // A late progress message after the attempt ended; nothing left to bound.
        }
    }
}
