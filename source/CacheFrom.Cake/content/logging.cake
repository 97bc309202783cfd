using System.Globalization;
using Serilog;
using Serilog.Core;
using Serilog.Events;

#nullable enable

/// <summary>
/// A Serilog sink that writes the engine's log to Cake's log, so <c>--verbosity</c> governs both.
/// The rendered message goes in as an argument, never as a format string (it may hold braces).
/// </summary>
public sealed class CakeLogSink : ILogEventSink
{
    private readonly ICakeLog _log;
    private readonly object _gate = new object();

    public CakeLogSink(ICakeLog log)
    {
        _log = log;
    }

    /// <summary>A logger for the engine whose minimum level follows Cake's verbosity.</summary>
    public static Logger CreateLogger(ICakeLog log) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(MinimumLevel(log.Verbosity))
            .WriteTo.Sink(new CakeLogSink(log))
            .CreateLogger();

    public static LogEventLevel MinimumLevel(Verbosity verbosity) => verbosity switch
    {
        Verbosity.Quiet => LogEventLevel.Error,
        Verbosity.Minimal => LogEventLevel.Warning,
        Verbosity.Normal => LogEventLevel.Information,
        Verbosity.Verbose => LogEventLevel.Debug,
        _ => LogEventLevel.Verbose,
    };

    public void Emit(LogEvent logEvent)
    {
        var (verbosity, level) = Map(logEvent.Level);
        var text = logEvent.RenderMessage(CultureInfo.InvariantCulture);
        if (logEvent.Exception is { } exception)
            text += Environment.NewLine + (_log.Verbosity >= Verbosity.Diagnostic ? exception.ToString() : exception.Message);

        // Build output arrives from more than one thread; Cake's console writer is not thread-safe.
        lock (_gate)
            _log.Write(verbosity, level, "{0}", text);
    }

    // Cake's own aliases pair verbosity and level the same way (Error → Quiet … Debug → Diagnostic).
    private static (Verbosity Verbosity, LogLevel Level) Map(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => (Verbosity.Diagnostic, LogLevel.Debug),
        LogEventLevel.Debug => (Verbosity.Verbose, LogLevel.Verbose),
        LogEventLevel.Information => (Verbosity.Normal, LogLevel.Information),
        LogEventLevel.Warning => (Verbosity.Minimal, LogLevel.Warning),
        LogEventLevel.Error => (Verbosity.Quiet, LogLevel.Error),
        _ => (Verbosity.Quiet, LogLevel.Fatal),
    };
}

#nullable restore
