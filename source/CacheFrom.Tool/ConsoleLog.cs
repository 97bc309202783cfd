using Serilog;
using Serilog.Events;
using Serilog.Sinks.SystemConsole.Themes;

namespace CacheFrom.Tool;

/// <summary>
/// The tool's log: one plain line per event on stdout, colours only on a terminal (and never with
/// NO_COLOR), so CI logs stay readable. Errors go to stderr too, where a CI step shows them.
/// </summary>
internal static class ConsoleLog
{
    private const string Template = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}";

    public static Serilog.Core.Logger Create(LogEventLevel minimumLevel)
    {
        var colours = !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new LoggerConfiguration()
            .MinimumLevel.Is(minimumLevel)
            .WriteTo.Console(
                outputTemplate: Template,
                theme: colours ? AnsiConsoleTheme.Code : ConsoleTheme.None,
                standardErrorFromLevel: LogEventLevel.Error,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();
    }

    /// <summary><c>quiet</c>, <c>minimal</c>, <c>normal</c> (default), <c>detailed</c>, <c>diagnostic</c>, as dotnet and Cake spell them.</summary>
    public static LogEventLevel? ParseVerbosity(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "normal" or "n" => LogEventLevel.Information,
        "quiet" or "q" => LogEventLevel.Error,
        "minimal" or "m" => LogEventLevel.Warning,
        "detailed" or "d" or "verbose" => LogEventLevel.Debug,
        "diagnostic" or "diag" => LogEventLevel.Verbose,
        _ => null,
    };
}
