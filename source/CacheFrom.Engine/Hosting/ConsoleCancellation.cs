using Serilog;

namespace CacheFrom.Hosting;

/// <summary>
/// Ctrl+C for a host process: the first press cancels <see cref="Token"/> (a build or push in
/// flight stops cleanly, the reports are still written); the second one ends the process the
/// usual way. NUKE and Cake pass no token to the work they run, so the host owns this.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly ILogger _logger;
    private int _disposed;

    public ConsoleCancellation(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0 || _source.IsCancellationRequested)
            return;
        e.Cancel = true;
        _logger.Warning("Stopping CacheFrom; press Ctrl+C again to kill the build");
        _source.Cancel();
    }
}
