using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CacheFrom.Tests.Support;

/// <summary>A Serilog logger that writes to the test's output and keeps every rendered line for assertions.</summary>
internal sealed class TestLogger : ILogEventSink
{
    private readonly List<string> _lines = [];
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

    public void Emit(LogEvent logEvent)
    {
        var line = $"[{Abbreviation(logEvent.Level)}] {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        if (logEvent.Exception is not null)
            line += Environment.NewLine + logEvent.Exception;
        lock (_gate)
            _lines.Add(line);
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
