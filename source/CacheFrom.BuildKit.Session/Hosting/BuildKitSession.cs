using System.Diagnostics;
using CacheFrom.BuildKit.Session.Transport;
using CacheFrom.Sessions;

namespace CacheFrom.BuildKit.Session.Hosting;

/// <summary>
/// One open session: a hijacked engine connection served by the process's Kestrel. When the
/// engine hangs up before we close it, <see cref="Fault"/> says so and a warning is logged once,
/// so a lost session never passes for a slow, cold build.
/// </summary>
internal sealed class BuildKitSession : IBuildSession
{
    private readonly SessionConnection _connection;
    private readonly SessionRegistry _sessions;
    private readonly Action<BuildKitSession> _closed;
    private readonly Stopwatch _age = Stopwatch.StartNew();
    private volatile Exception? _fault;
    private int _disposed;

    public BuildKitSession(SessionState state, SessionConnection connection, SessionRegistry sessions, Action<BuildKitSession> closed)
    {
        State = state;
        _connection = connection;
        _sessions = sessions;
        _closed = closed;
        Ended = connection.Ended.ContinueWith(OnEnded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public string Id => State.Id;

    public Exception? Fault => _fault;

    internal SessionState State { get; }

    /// <summary>Completes when the connection is gone, after <see cref="Fault"/> is set.</summary>
    internal Task Ended { get; }

    /// <summary>Breaks the connection as if the engine hung up (tests of the lost-session path).</summary>
    internal void Sever() => _connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("severed"));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _connection.Close();
        await Ended.ConfigureAwait(false);
        _closed(this);
        State.Logger.Debug(
            "BuildKit session {SessionId} closed after {ElapsedSeconds:0.0} s ({HealthChecks} health checks)",
            Id, _age.Elapsed.TotalSeconds, State.HealthChecks);
    }

    private void OnEnded(Task<Exception?> ended)
    {
        _sessions.Remove(Id);
        if (ended.Result is not { } reason)
            return;

        _fault = new CacheFromException(
            $"The BuildKit session {Id} was lost after {_age.Elapsed.TotalSeconds:0.0} s ({reason.Message}): the Docker engine can no longer ask "
            + "for registry credentials, build secrets or ssh. A build that needed them failed or ran without cache from an authenticated registry; "
            + "run it again, and check the engine's log if this repeats.",
            reason);
        State.Logger.Warning(
            "BuildKit session {SessionId} lost after {ElapsedSeconds:0.0} s: {Reason}. Registry credentials, secrets and ssh are no longer served to the engine",
            Id, _age.Elapsed.TotalSeconds, reason.Message);
    }
}
