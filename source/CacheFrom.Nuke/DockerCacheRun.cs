using System.Globalization;
using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using Nuke.Common;
using Serilog;

namespace CacheFrom.Nuke;

/// <summary>
/// What <see cref="IDockerPublish"/>'s targets share in one NUKE process: the cancellation source
/// for Ctrl+C (NUKE blocks on async targets and passes no token) and one engine call per target.
/// Each target opens a <see cref="CachePipeline"/>, which continues this process's run record, so
/// the state between targets (winning candidates, image ids, timings) flows through the engine.
/// </summary>
internal static class DockerCacheRun
{
    private static readonly Lock Gate = new();
    private static CancellationTokenSource? _cancellation;

    /// <summary>Cancelled by the first Ctrl+C (a build or push in flight stops cleanly); a second one kills the process.</summary>
    public static CancellationToken CancellationToken
    {
        get
        {
            lock (Gate)
            {
                if (_cancellation is null)
                {
                    _cancellation = new CancellationTokenSource();
                    Console.CancelKeyPress += OnCancelKeyPress;
                }

                return _cancellation.Token;
            }
        }
    }

    /// <summary>
    /// The target's run condition: false, with the reason logged, when the step's mode is off
    /// (<see cref="StepPlan"/>). Parameters that do not validate run the target, whose engine call
    /// then fails with every problem listed.
    /// </summary>
    public static bool IsEnabled(IHazDockerCache build, PipelineStep step)
    {
        CacheFromSettings settings;
        try
        {
            settings = CacheFromSettings.Resolve(build.DockerCacheOptions);
        }
        catch (CacheFromException)
        {
            return true;
        }

        if (StepPlan.SkipReason(settings, step) is not { } reason)
            return true;
        Log.Information("{Step} skipped: {Reason}", step, reason);
        return false;
    }

    public static async Task RunStepAsync(IHazDockerCache build, PipelineStep step)
    {
        var cancellationToken = CancellationToken;
        try
        {
            await using var sessions = BuildKitSessionHost.Create(Log.Logger);
            await using var pipeline = await CachePipeline.OpenAsync(build.DockerCacheOptions, Log.Logger, sessions, cancellationToken).ConfigureAwait(false);
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
            build.ReportSummary(summary => StepSummary(summary, pipeline.Record, step));
        }
        catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new CacheFromException($"{step} was cancelled (Ctrl+C)", exception);
        }
    }

    /// <summary>
    /// DockerPublish's own call, after every step: the run's report (summary table in the log,
    /// JSON/Markdown/HTML in the report directory, $GITHUB_STEP_SUMMARY) and the headline figures
    /// in NUKE's summary. A report that cannot be written is a warning: the image is built.
    /// </summary>
    public static async Task WriteReportAsync(IHazDockerCache build)
    {
        var cancellationToken = CancellationToken;
        await using var pipeline = await CachePipeline.OpenAsync(build.DockerCacheOptions, Log.Logger, sessions: null, cancellationToken).ConfigureAwait(false);
        // Through the pipeline: it applies the cache history's cold durations before the sum is done.
        await pipeline.WriteReportAsync(cancellationToken).ConfigureAwait(false);
        var record = pipeline.Record;
        var run = pipeline.Summarize();
        build.ReportSummary(summary =>
        {
            summary["Image"] = $"{record.Image}:{record.Tag}";
            summary["Instructions cached"] = $"{run.CachedInstructions} of {run.CachedInstructions + run.BuiltInstructions}";
            summary["Fetch"] = Seconds(run.FetchTime);
            summary["Saved"] = run.TimeSaved is { } saved ? Seconds(saved) + (run.TimeSavedIsPartial ? " or more" : "") : "unknown";
            summary["Verdict"] = run.Verdict;
            return summary;
        });
    }

    private static Dictionary<string, string> StepSummary(Dictionary<string, string> summary, RunRecord record, PipelineStep step)
    {
        var stepRecord = record.Steps.LastOrDefault(s => s.Step == step);
        if (stepRecord is null)
            return summary;
        if (stepRecord.Outcome != StepOutcome.Succeeded)
            summary["Outcome"] = stepRecord.Outcome.ToString();

        switch (step)
        {
            case PipelineStep.ResolveCache:
                summary["Cache found"] = $"{record.Stages.Count(s => s.Winner is not null)} of {record.Stages.Count} stages";
                break;
            case PipelineStep.BuildBuilderStage or PipelineStep.BuildFinalStage:
                // FROM is neither a hit nor built work (as in the run's report).
                var instructions = record.Instructions
                    .Where(i => i.BuiltIn == step && !i.Text.StartsWith("FROM", StringComparison.OrdinalIgnoreCase))
                    .ToList();
                summary["Instructions cached"] = $"{instructions.Count(i => i.Cached)} of {instructions.Count}";
                break;
            case PipelineStep.LoadTarball:
                summary["Loaded"] = Bytes(stepRecord.BytesLoaded);
                break;
            case PipelineStep.PushAll:
                summary["Pushed"] = Bytes(stepRecord.BytesPushed);
                break;
            case PipelineStep.SaveTarball:
                summary["Saved"] = Bytes(stepRecord.BytesSaved);
                break;
        }

        return summary;
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture);

    private static string Bytes(long value) =>
        value < 1024 * 1024
            ? (value / 1024.0).ToString("0.0 KiB", CultureInfo.InvariantCulture)
            : (value / (1024.0 * 1024)).ToString("0.0 MiB", CultureInfo.InvariantCulture);

    private static void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        lock (Gate)
        {
            if (_cancellation is null || _cancellation.IsCancellationRequested)
                return;
            e.Cancel = true;
            Log.Warning("Stopping CacheFrom; press Ctrl+C again to kill the build");
            _cancellation.Cancel();
        }
    }
}
