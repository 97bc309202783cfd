using System.Diagnostics;
using CacheFrom.BuildKit.Session.Services;
using CacheFrom.BuildKit.Session.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SerilogLogger = Serilog.ILogger;

namespace CacheFrom.BuildKit.Session.Hosting;

/// <summary>
/// The one Kestrel server of the process: HTTP/2 only, the gRPC services a session offers, and
/// a transport fed with hijacked <c>/session</c> connections instead of a port. Started once
/// (its cost is paid by the first session), then serves every session of the process.
/// </summary>
internal sealed class SessionServer : IAsyncDisposable
{
    private static readonly Lock SharedGate = new();
    private static Task<SessionServer>? _shared;
    private static int _starts;

    private readonly WebApplication _application;
    private readonly SessionConnectionListener _listener;

    private SessionServer(WebApplication application, SessionConnectionListener listener, SessionRegistry sessions, TimeSpan startup)
    {
        _application = application;
        _listener = listener;
        Sessions = sessions;
        Startup = startup;
    }

    public SessionRegistry Sessions { get; }

    /// <summary>How long building and starting Kestrel took.</summary>
    public TimeSpan Startup { get; }

    /// <summary>How many servers this process started (tests check that it stays at one).</summary>
    public static int Starts => Volatile.Read(ref _starts);

    /// <summary>The process-wide server, started on first use; a failed start is retried by the next caller.</summary>
    public static Task<SessionServer> SharedAsync(SerilogLogger logger, CancellationToken cancellationToken = default)
    {
        Task<SessionServer> task;
        lock (SharedGate)
        {
            if (_shared is null || _shared.IsFaulted || _shared.IsCanceled)
                _shared = StartAsync(logger);
            task = _shared;
        }

        return task.WaitAsync(cancellationToken);
    }

    public static async Task<SessionServer> StartAsync(SerilogLogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        var sessions = new SessionRegistry();
        var listener = new SessionConnectionListener();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(SessionServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new KestrelLogForwarder(sessions, logger));
        builder.Logging.SetMinimumLevel(KestrelLogForwarder.MinimumLevel);
        builder.Services.AddSingleton(sessions);
        builder.Services.AddSingleton<IConnectionListenerFactory>(listener);
        // Ctrl+C belongs to the host (NUKE, Cake): the session server must not stop the process on it.
        builder.Services.AddSingleton<IHostLifetime, NoHostLifetime>();
        builder.Services.AddGrpc(options => options.EnableDetailedErrors = false);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            // The engine's health checks (every second) keep the connection out of keep-alive
            // timeout; KeepAliveTimeout must stay finite (an infinite one closes it at once).
            // ssh streams may idle: no minimum data rates.
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
            // FileSync's patterns travel as headers: a long .dockerignore exceeds Kestrel's 32 KB default.
            options.Limits.MaxRequestHeadersTotalSize = 1024 * 1024;
            options.Limits.Http2.MaxRequestHeaderFieldSize = 1024 * 1024;
            options.Listen(SessionEndPoint.Instance, listen => listen.Protocols = HttpProtocols.Http2);
        });

        var application = builder.Build();
        application.MapGrpcService<HealthService>();
        application.MapGrpcService<AuthService>();
        application.MapGrpcService<SecretsService>();
        application.MapGrpcService<SshService>();
        application.MapGrpcService<FileSyncService>();
        await application.StartAsync().ConfigureAwait(false);

        Interlocked.Increment(ref _starts);
        var server = new SessionServer(application, listener, sessions, stopwatch.Elapsed);
        logger.Information("BuildKit session server started in {ElapsedMilliseconds} ms", (long)server.Startup.TotalMilliseconds);
        return server;
    }

    /// <summary>Hands a hijacked connection to Kestrel, which then answers the engine's calls on it.</summary>
    public void Serve(SessionConnection connection) => _listener.Enqueue(connection);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _application.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Open sessions did not drain in time; they are closed with the application below.
        }

        await _application.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class NoHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
