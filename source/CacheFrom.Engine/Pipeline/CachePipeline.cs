using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Dockerfiles;
using CacheFrom.History;
using CacheFrom.Pipeline.Steps;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Sessions;
using CacheFrom.Tarballs;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>
/// The cache pipeline of one run. Hosts call one method per target; the pipeline owns the step
/// order and the state passed between steps (<see cref="Record"/>, persisted after each step,
/// so a host may open a new pipeline per target within one process and continue the same run).
/// </summary>
public sealed class CachePipeline : IAsyncDisposable
{
    private readonly RunContext _context;
    private readonly StepRunner _runner;
    private readonly RunRecordStore _store;

    private CachePipeline(RunContext context, RunRecordStore store)
    {
        _context = context;
        _store = store;
        _runner = new StepRunner(context, store);
    }

    public CacheFromSettings Settings => _context.Settings;

    public RunRecord Record => _context.Record;

    /// <summary>Where the run record is persisted (<c>run.json</c> in the report directory).</summary>
    public string RecordPath => _store.Path;

    /// <summary>
    /// Validates the options (before Docker is touched), reads the Dockerfile's stages, connects
    /// to the engine and opens this process's run. <paramref name="sessions"/> serves BuildKit
    /// sessions (credentials, secrets, ssh); without it, cache images that need credentials are pulled first.
    /// </summary>
    public static async Task<CachePipeline> OpenAsync(
        CacheFromOptions options,
        ILogger logger,
        IBuildSessionProvider? sessions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = CacheFromSettings.Resolve(options);
        var dockerfile = DockerfileParser.Parse(settings.DockerFile, settings.BuildArgs);
        var stages = StageImage.Plan(dockerfile, settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, logger);

        var engine = await DockerEngine.ConnectAsync(settings.DockerHost, logger, cancellationToken).ConfigureAwait(false);
        var context = new RunContext
        {
            Settings = settings,
            Engine = engine,
            Dockerfile = dockerfile,
            Stages = stages,
            Tarballs = new TarballStore(settings.CacheDir, logger),
            Sessions = sessions,
            Logger = logger,
            Record = store.OpenOrStart(settings, stages),
        };
        return new CachePipeline(context, store);
    }

    /// <summary>False when the step's mode is off (e.g. tarball steps in registry mode); the host skips it.</summary>
    public bool IsEnabled(PipelineStep step) => StepPlan.IsEnabled(Settings, step);

    /// <summary>Why <see cref="IsEnabled"/> is false, for the host's skip message.</summary>
    public string? SkipReason(PipelineStep step) => StepPlan.SkipReason(Settings, step);

    public Task LoadTarballAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new LoadTarballStep(), cancellationToken);

    public Task ResolveCacheAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new ResolveCacheStep(), cancellationToken);

    public Task BuildBuilderStageAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new BuildBuilderStageStep(), cancellationToken);

    public Task BuildFinalStageAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new BuildFinalStageStep(), cancellationToken);

    public Task PushAllAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new PushAllStep(), cancellationToken);

    public Task SaveTarballAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(new SaveTarballStep(), cancellationToken);

    /// <summary>
    /// The whole pipeline in the contract's order; steps whose mode is off are skipped. A new run
    /// each call. Ends with the reports (<see cref="WriteReportAsync"/>), also when a step fails.
    /// </summary>
    public async Task<RunRecord> PublishAsync(CancellationToken cancellationToken = default)
    {
        _context.Record = RunRecordStore.Start(Settings, _context.Stages);
        try
        {
            await LoadTarballAsync(cancellationToken).ConfigureAwait(false);
            await ResolveCacheAsync(cancellationToken).ConfigureAwait(false);
            await BuildBuilderStageAsync(cancellationToken).ConfigureAwait(false);
            await BuildFinalStageAsync(cancellationToken).ConfigureAwait(false);
            await PushAllAsync(cancellationToken).ConfigureAwait(false);
            await SaveTarballAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await WriteReportAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return Record;
    }

    /// <summary>
    /// The sum of this run: cold durations from history applied, the summary table logged, the
    /// JSON/Markdown/HTML reports written to the report directory (and $GITHUB_STEP_SUMMARY).
    /// A report that cannot be written is a warning, never a failed build.
    /// </summary>
    public async Task<ReportFiles?> WriteReportAsync(CancellationToken cancellationToken = default)
    {
        new CacheHistory(Record.History).Apply(Record);
        await _store.SaveAsync(Record, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReportWriter.WriteAsync(Record, Settings.ReportDir, _context.Logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _context.Logger.Warning("Could not write the run's reports to {Directory}: {Reason}", Settings.ReportDir, exception.Message);
            return null;
        }
    }

    /// <summary>The run's headline figures (time fetching/storing cache versus time saved, verdict).</summary>
    public RunSummary Summarize() => RunSummary.Compute(Record);

    public ValueTask DisposeAsync() => _context.Engine.DisposeAsync();
}
