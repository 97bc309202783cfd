using Microsoft.Extensions.Logging;
using SerilogLogger = Serilog.ILogger;

namespace CacheFrom.BuildKit.Session.Hosting;

/// <summary>
/// Kestrel's and gRPC's own logging, forwarded to the Serilog logger of the session whose
/// connection it concerns (else the server's). When the engine hangs up, Kestrel reports
/// GOAWAY, reset and broken-pipe errors that mean nothing to a user: those go to Debug, and
/// the session surfaces "session lost" itself. Failures inside our services stay warnings.
/// </summary>
internal sealed class KestrelLogForwarder(SessionRegistry sessions, SerilogLogger serverLogger) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    /// <summary>Kestrel's and gRPC's messages below this level are dropped; <c>CACHEFROM_SESSION_TRACE=1</c> lowers it to Debug.</summary>
    internal static LogLevel MinimumLevel { get; set; } =
        Environment.GetEnvironmentVariable("CACHEFROM_SESSION_TRACE") is "1" or "true" ? LogLevel.Debug : LogLevel.Warning;

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Forwarder(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private SerilogLogger LoggerFor<TState>(TState state)
    {
        var connectionId = ConnectionId(state);
        _scopes?.ForEachScope((scope, _) => connectionId ??= ConnectionId(scope), (object?)null);
        return connectionId is not null && sessions.Find(connectionId) is { } session ? session.Logger : serverLogger;
    }

    private static string? ConnectionId(object? state)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                if (key == "ConnectionId" && value is string id)
                    return id;
            }
        }

        return null;
    }

    private sealed class Forwarder(KestrelLogForwarder owner, string category) : Microsoft.Extensions.Logging.ILogger
    {
        // Kestrel's connection-level errors after a hang-up are expected; ours are not.
        private readonly bool _transportNoise = category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)
            || category.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal)
            || category.StartsWith("Microsoft.Hosting", StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            try
            {
                var logger = owner.LoggerFor(state);
                var message = formatter(state, exception);
                if (logLevel < LogLevel.Warning || _transportNoise || exception is OperationCanceledException or IOException)
                    logger.Debug(exception, "BuildKit session transport ({Category}): {Message}", category, message);
                else
                    logger.Warning(exception, "BuildKit session service ({Category}): {Message}", category, message);
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                // Logging never throws into Kestrel.
            }
        }
    }
}
