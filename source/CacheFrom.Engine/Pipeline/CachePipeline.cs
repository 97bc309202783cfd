using CacheFrom.Configuration;
using CacheFrom.Recording;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>
/// The cache pipeline of one run. Hosts call one method per target; the pipeline owns the step
/// order and the state passed between steps (<see cref="Record"/>, persisted after each step).
/// </summary>
public sealed class CachePipeline : IAsyncDisposable
{
    private CachePipeline()
    {
        throw new NotImplementedException();
    }

    public CacheFromSettings Settings { get; } = null!;

    public RunRecord Record { get; } = null!;

    /// <summary>
    /// Validates the options (before Docker is touched), connects to the engine and opens this
    /// process's run: a record left by an earlier step of the same process is continued.
    /// </summary>
    public static Task<CachePipeline> OpenAsync(CacheFromOptions options, ILogger logger, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>False when the step's mode is off (e.g. tarball steps in registry mode); the host skips it.</summary>
    public bool IsEnabled(PipelineStep step) => throw new NotImplementedException();

    /// <summary>Why <see cref="IsEnabled"/> is false, for the host's skip message.</summary>
    public string? SkipReason(PipelineStep step) => throw new NotImplementedException();

    public Task LoadTarballAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task ResolveCacheAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task BuildBuilderStageAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task BuildFinalStageAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task PushAllAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SaveTarballAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The whole pipeline; steps whose mode is off are skipped. Writes the reports.</summary>
    public Task<RunRecord> PublishAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
