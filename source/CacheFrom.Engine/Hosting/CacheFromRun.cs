using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Retention;
using CacheFrom.Sessions;
using Serilog;

namespace CacheFrom.Hosting;

/// <summary>
/// What a host keeps for its whole process: the options read once, the pipeline opened once (one
/// engine connection, one stage plan), the BuildKit session provider, and Ctrl+C. Each target,
/// task or verb is one call: <see cref="RunAsync"/>. Steps whose mode is off are answered by
/// <see cref="SkipReason"/> without touching Docker.
/// </summary>
public sealed class CacheFromRun : IAsyncDisposable
{
    private readonly Func<CacheFromOptions> _options;
    private readonly ILogger _logger;
    private readonly IBuildSessionProvider? _sessions;
    private readonly ConsoleCancellation _cancellation;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CacheFromSettings? _settings;
    private CachePipeline? _pipeline;

    /// <param name="options">The host's parameters as engine options; called once, when first needed.</param>
    /// <param name="logger">Where the engine logs.</param>
    /// <param name="sessions">The BuildKit session provider (credentials, secrets, ssh, the build context); owned and disposed by the run.</param>
    /// <param name="time">The clock PruneCache dates caches by; null: the system's.</param>
    public CacheFromRun(Func<CacheFromOptions> options, ILogger logger, IBuildSessionProvider? sessions, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _sessions = sessions;
        _cancellation = new ConsoleCancellation(logger);
        _time = time ?? TimeProvider.System;
    }

    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>The validated settings; throws one <see cref="CacheFromConfigurationException"/> listing every problem.</summary>
    public CacheFromSettings Settings => _settings ??= CacheFromSettings.Resolve(_options());

    /// <summary>What the last PruneCache of this process found; null before one ran.</summary>
    public PruneResult? Prune { get; private set; }

    /// <summary>The record of this run, once the pipeline is open; null before.</summary>
    public RunRecord? Record => _pipeline?.Record;

    /// <summary>Why <paramref name="target"/> is skipped with this run's settings, or null when it runs.</summary>
    public string? SkipReason(StepDefinition target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.SkipReason(Settings);
    }

    /// <summary>
    /// Runs one target: a step of the pipeline, <c>DockerPublish</c>'s own action (the report,
    /// after its dependencies ran in this process), or <c>PruneCache</c> (which opens no pipeline and
    /// needs no engine). A Ctrl+C ends it with one message.
    /// </summary>
    public async Task RunAsync(StepDefinition target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target == CacheFromStepTable.PruneCache)
        {
            if (target.SkipReason(Settings) is { } reason)
            {
                _logger.Information("{Step} skipped: {Reason}", target.Name, reason);
                return;
            }

            await CancellableAsync(target.Name, async () => Prune = await CacheRetention.PruneAsync(Settings, _logger, _time, CancellationToken).ConfigureAwait(false))
                .ConfigureAwait(false);
            return;
        }

        var pipeline = await PipelineAsync().ConfigureAwait(false);
        await CancellableAsync(target.Name, () => target.Step is { } step
            ? pipeline.RunStepAsync(step, CancellationToken)
            : pipeline.WriteReportAsync(CancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The whole pipeline as a new run, ending with the reports (the tool's <c>publish</c>).</summary>
    public async Task<RunRecord> PublishAsync()
    {
        var pipeline = await PipelineAsync().ConfigureAwait(false);
        RunRecord? record = null;
        await CancellableAsync(CacheFromStepTable.DockerPublish.Name, async () => record = await pipeline.PublishAsync(CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return record!;
    }

    /// <summary>The run's headline figures; null before the pipeline ran.</summary>
    public RunSummary? Summarize() => _pipeline?.Summarize();

    public async ValueTask DisposeAsync()
    {
        if (_pipeline is not null)
            await _pipeline.DisposeAsync().ConfigureAwait(false);
        if (_sessions is IAsyncDisposable sessions)
            await sessions.DisposeAsync().ConfigureAwait(false);
        _cancellation.Dispose();
        _gate.Dispose();
    }

    private async Task<CachePipeline> PipelineAsync()
    {
        if (_pipeline is not null)
            return _pipeline;
        await _gate.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            return _pipeline ??= await CachePipeline.OpenAsync(Settings, _logger, _sessions, CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CancellableAsync(string target, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (_cancellation.IsCancellationRequested)
        {
            throw new CacheFromException($"{target} was cancelled (Ctrl+C)", exception);
        }
    }
}
