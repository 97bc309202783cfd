using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Docker;
using CacheFrom.Dockerfiles;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Lint;
using CacheFrom.Pipeline.Steps;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Sessions;
using CacheFrom.Tarballs;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>
/// The run: one per host process, opened once (settings resolved, Dockerfile planned, engine
/// connected) and kept by the host for every target it runs. The pipeline owns the step order and
/// the state passed between steps (<see cref="Record"/>, also persisted after each step, so steps
/// run in separate processes continue one run through <see cref="CacheFromOptions.RunId"/>).
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
    /// Validates the options, reads the Dockerfile's stages and lints it (all before Docker is touched;
    /// <c>docker-lint</c> error fails here, listing every finding), connects to the engine and opens
    /// this process's run. <paramref name="sessions"/> serves BuildKit
    /// sessions (credentials, secrets, ssh); without it, cache images that need credentials are pulled first.
    /// </summary>
    public static Task<CachePipeline> OpenAsync(
        CacheFromOptions options,
        ILogger logger,
        IBuildSessionProvider? sessions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OpenAsync(CacheFromSettings.Resolve(options), logger, sessions, cancellationToken);
    }

    /// <summary>Opens the run on settings the host already resolved (they are resolved once per process).</summary>
    public static async Task<CachePipeline> OpenAsync(
        CacheFromSettings settings,
        ILogger logger,
        IBuildSessionProvider? sessions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        var dockerfile = DockerfileParser.Parse(settings.DockerFile, settings.BuildArgs);
        var lint = DockerfileLint.Run(settings, dockerfile);
        var stages = StageImage.Plan(dockerfile, settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, logger);

        if (settings.UsesRegistry || settings.Push)
        {
            logger.Information(
                "Registry credentials for {Registry}: {Credentials:l} (from {CredentialsSource:l})",
                settings.Image.Registry ?? "docker.io",
                settings.Credentials switch { null => "none, anonymous", { IsIdentityToken: true } => "an identity token", _ => "user " + settings.Credentials.Username },
                settings.CredentialsSource);
        }

        var engine = await DockerEngine.ConnectAsync(settings.DockerHost, logger, cancellationToken).ConfigureAwait(false);
        var context = new RunContext
        {
            Settings = settings,
            Engine = engine,
            Registry = new RegistryClient(settings.Retry, TimeProvider.System, logger),
            Dockerfile = dockerfile,
            Stages = stages,
            Tarballs = new TarballStore(settings.CacheDir, logger),
            Sessions = sessions,
            Lint = lint,
            Logger = logger,
            Record = store.OpenOrStart(settings, stages, settings.RunId),
        };
        return new CachePipeline(context, store);
    }

    /// <summary>False when the step's mode is off (e.g. tarball steps in registry mode); the host skips it.</summary>
    public bool IsEnabled(PipelineStep step) => StepPlan.IsEnabled(Settings, step);

    /// <summary>Why <see cref="IsEnabled"/> is false, for the host's skip message.</summary>
    public string? SkipReason(PipelineStep step) => StepPlan.SkipReason(Settings, step);

    /// <summary>Runs one step of the contract (the hosts' dispatch: one target, task or verb → one call).</summary>
    public Task RunStepAsync(PipelineStep step, CancellationToken cancellationToken = default) =>
        step switch
        {
            PipelineStep.LoadTarball => LoadTarballAsync(cancellationToken),
            PipelineStep.ResolveCache => ResolveCacheAsync(cancellationToken),
            PipelineStep.BuildBuilderStage => BuildBuilderStageAsync(cancellationToken),
            PipelineStep.BuildFinalStage => BuildFinalStageAsync(cancellationToken),
            PipelineStep.PushAll => PushAllAsync(cancellationToken),
            PipelineStep.SaveTarball => SaveTarballAsync(cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, "not a step of the pipeline"),
        };

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
        MissExplanations.Apply(Record);
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

    public async ValueTask DisposeAsync()
    {
        _context.Registry.Dispose();
        if (_context.CacheRegistry is { } cacheRegistry)
            await cacheRegistry.DisposeAsync().ConfigureAwait(false);
        await _context.Engine.DisposeAsync().ConfigureAwait(false);
    }
}
