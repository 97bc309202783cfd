using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CacheFrom.Tests.Support;

/// <summary>A Serilog logger that writes to the test's output and keeps every rendered line for assertions.</summary>
internal sealed class TestLogger : ILogEventSink
{
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private readonly Lock _gate = new();

    public TestLogger()
    {
        Logger = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .WriteTo.Sink(this)
            .CreateLogger();
    }

    public ILogger Logger { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
                return [.. _lines];
        }
    }

    public IReadOnlyList<string> Warnings => Lines.Where(l => l.StartsWith("[WRN]", StringComparison.Ordinal)).ToList();

    public string AllText => string.Join(Environment.NewLine, Lines);

    /// <summary>
    /// Completes when a line containing <paramref name="text"/> has been logged (at once if one has):
    /// a test waits for what the product did, not for a guessed delay. Bounded only by the token.
    /// </summary>
    public Task WaitForAsync(string text, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
                return Task.CompletedTask;
            _waits.Add((text, seen));
        }

        return seen.Task.WaitAsync(cancellationToken);
    }

    public void Emit(LogEvent logEvent)
    {
        var line = $"[{Abbreviation(logEvent.Level)}] {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        if (logEvent.Exception is not null)
            line += Environment.NewLine + logEvent.Exception;
        List<TaskCompletionSource> seen;
        lock (_gate)
        {
            _lines.Add(line);
            seen = _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).Select(w => w.Seen).ToList();
            _waits.RemoveAll(w => seen.Contains(w.Seen));
        }

        foreach (var waiter in seen)
            waiter.TrySetResult();
        TestContext.Progress.WriteLine(line);
    }

    private static string Abbreviation(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "VRB",
        LogEventLevel.Debug => "DBG",
        LogEventLevel.Information => "INF",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Error => "ERR",
        _ => "FTL",
    };
}
