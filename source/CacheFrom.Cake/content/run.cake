using CacheFrom;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using System.Runtime.ExceptionServices;
using System.Threading;

#nullable enable

/// <summary>
/// The recipe's public face: its task builders (for <c>IsDependentOn</c>) and a hook to set
/// defaults in code. Precedence: argument, then environment variable, then <see cref="Configure"/>,
/// then the engine's default.
/// </summary>
public static class CacheFromRecipe
{
    private static readonly List<Action<ICakeContext, CacheFromOptions>> Configurations = new List<Action<ICakeContext, CacheFromOptions>>();

    /// <summary>The recipe's tasks, in the order DockerPublish runs them.</summary>
    public static readonly IReadOnlyList<string> TaskNames = new[]
    {
        "LoadTarball", "ResolveCache", "BuildBuilderStage", "BuildFinalStage", "PushAll", "SaveTarball", "DockerPublish",
    };

    public static CakeTaskBuilder LoadTarball { get; internal set; } = null!;

    public static CakeTaskBuilder ResolveCache { get; internal set; } = null!;

    public static CakeTaskBuilder BuildBuilderStage { get; internal set; } = null!;

    public static CakeTaskBuilder BuildFinalStage { get; internal set; } = null!;

    public static CakeTaskBuilder PushAll { get; internal set; } = null!;

    public static CakeTaskBuilder SaveTarball { get; internal set; } = null!;

    public static CakeTaskBuilder DockerPublish { get; internal set; } = null!;

    /// <summary>
    /// Adjusts the options after arguments and environment are read, e.g. a repository's default
    /// image: <c>CacheFromRecipe.Configure((ctx, o) => o.Image ??= "registry.example.com/team/app");</c>
    /// </summary>
    public static void Configure(Action<ICakeContext, CacheFromOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Configurations.Add(configure);
    }

    internal static CacheFromOptions ReadOptions(ICakeContext context)
    {
        var options = CacheFromCakeParameters.Read(context);
        foreach (var configure in Configurations)
            configure(context, options);
        return options;
    }
}

/// <summary>
/// What the recipe's tasks share in one Cake run (Setup&lt;CacheFromRun&gt;): the engine's pipeline,
/// its logger and a cancellation source for Ctrl+C. The pipeline owns the step order and the
/// state between steps; each task calls one step. Errors the user can act on (CacheFromException)
/// surface as CakeExceptions: Cake prints "Error: message" and exits 1.
/// </summary>
public sealed class CacheFromRun : IDisposable
{
    private readonly ICakeContext _context;
    private readonly string? _targetTask;
    private readonly Serilog.Core.Logger _logger;
    private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
    private CachePipeline? _pipeline;
    private ExceptionDispatchInfo? _openFailure;

    private CacheFromRun(ICakeContext context, string? targetTask)
    {
        _context = context;
        _targetTask = targetTask;
        _logger = CakeLogSink.CreateLogger(context.Log);
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>
    /// Opens the pipeline when this run executes any of the recipe's tasks, so bad parameters are
    /// found before Docker is touched. A failure is kept and thrown by the first recipe task's
    /// criteria: a Setup that throws would leave Teardown&lt;CacheFromRun&gt; without its data.
    /// </summary>
    public static CacheFromRun Start(ISetupContext context)
    {
        var run = new CacheFromRun(context, context.TargetTask?.Name);
        if (context.TasksToExecute.Any(task => CacheFromRecipe.TaskNames.Contains(task.Name, StringComparer.OrdinalIgnoreCase)))
            run.Open();
        return run;
    }

    public CachePipeline Pipeline
    {
        get
        {
            if (_openFailure?.SourceException is CacheFromException failure)
                throw new CakeException(failure.Message, failure);
            _openFailure?.Throw();
            return _pipeline ?? throw new CakeException("CacheFrom: the pipeline was not opened (no recipe task was planned in Setup)");
        }
    }

    /// <summary>
    /// The task's criteria: false when the step's mode is off (StepPlan's rules), with the reason
    /// logged. The run's target task always runs (Cake fails a run whose target is skipped); the
    /// engine then records the step as skipped itself.
    /// </summary>
    public bool ShouldRun(PipelineStep step)
    {
        var reason = Pipeline.SkipReason(step);
        if (reason is null || string.Equals(step.ToString(), _targetTask, StringComparison.OrdinalIgnoreCase))
            return true;
        _context.Log.Information("{0} skipped: {1}", step, reason);
        return false;
    }

    public async System.Threading.Tasks.Task RunAsync(PipelineStep step)
    {
        var pipeline = Pipeline;
        var cancellationToken = _cancellation.Token;
        try
        {
            await (step switch
            {
                PipelineStep.LoadTarball => pipeline.LoadTarballAsync(cancellationToken),
                PipelineStep.ResolveCache => pipeline.ResolveCacheAsync(cancellationToken),
                PipelineStep.BuildBuilderStage => pipeline.BuildBuilderStageAsync(cancellationToken),
                PipelineStep.BuildFinalStage => pipeline.BuildFinalStageAsync(cancellationToken),
                PipelineStep.PushAll => pipeline.PushAllAsync(cancellationToken),
                PipelineStep.SaveTarball => pipeline.SaveTarballAsync(cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
            }).ConfigureAwait(false);
        }
        catch (CacheFromException exception)
        {
            throw new CakeException(exception.Message, exception);
        }
        catch (OperationCanceledException exception) when (_cancellation.IsCancellationRequested)
        {
            throw new CakeException($"{step} was cancelled (Ctrl+C)", exception);
        }
    }

    /// <summary>
    /// DockerPublish's own action, after every step: the run's report (summary table in the log,
    /// JSON/Markdown/HTML in the report directory, $GITHUB_STEP_SUMMARY). A report that cannot be
    /// written is a warning: the image is built.
    /// </summary>
    public System.Threading.Tasks.Task WriteReportAsync() => Pipeline.WriteReportAsync(_cancellation.Token);

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        try
        {
            _pipeline?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            _logger.Dispose();
            _cancellation.Dispose();
        }
    }

    private void Open()
    {
        try
        {
            var options = CacheFromRecipe.ReadOptions(_context);
            // No session provider: the BuildKit session server (ASP.NET Core) cannot load inside Cake.
            _pipeline = CachePipeline.OpenAsync(options, _logger, cancellationToken: _cancellation.Token).GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            _openFailure = ExceptionDispatchInfo.Capture(exception);
        }
    }

    // The first Ctrl+C asks the engine to stop (a push or build in flight ends cleanly); a second one kills.
    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cancellation.IsCancellationRequested)
            return;
        e.Cancel = true;
        _context.Log.Warning("Stopping CacheFrom; press Ctrl+C again to kill the build");
        _cancellation.Cancel();
    }
}

#nullable restore
