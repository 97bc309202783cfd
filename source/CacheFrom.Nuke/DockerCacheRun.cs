using System.Globalization;
using System.Runtime.CompilerServices;
using CacheFrom.BuildKit.Session;
using CacheFrom.Hosting;
using CacheFrom.Recording;
using CacheFrom.Retention;
using Nuke.Common;
using Serilog;

namespace CacheFrom.Nuke;

/// <summary>
/// The NUKE side of the engine's run object: one <see cref="CacheFromRun"/> per build, opened by the
/// first Docker target and kept for every later one (one settings resolution, one engine connection,
/// one stage plan, one BuildKit session server), so the state between targets stays in memory.
/// Components are interfaces and cannot hold fields: the run is attached to the build instance.
/// </summary>
internal static class DockerCacheRun
{
    private static readonly ConditionalWeakTable<IHazDockerCache, CacheFromRun> Runs = [];

    public static CacheFromRun Of(IHazDockerCache build) =>
        Runs.GetValue(build, static build =>
        {
            var run = new CacheFromRun(() => build.DockerCacheOptions, Log.Logger, BuildKitSessionHost.Create(Log.Logger));
            // NUKE has no hook a component can use when the build ends: close the sessions when the process does.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => run.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return run;
        });

    /// <summary>
    /// The target's run condition: false, with the reason logged, when the step's mode is off.
    /// Parameters that do not validate run the target, whose engine call then fails with every problem listed.
    /// </summary>
    public static bool IsEnabled(IHazDockerCache build, StepDefinition target)
    {
        string? reason;
        try
        {
            reason = Of(build).SkipReason(target);
        }
        catch (CacheFromException)
        {
            return true;
        }

        if (reason is null)
            return true;
        Log.Information("{Step} skipped: {Reason}", target.Name, reason);
        return false;
    }

    public static async Task RunAsync(IHazDockerCache build, StepDefinition target)
    {
        var run = Of(build);
        await UserErrors.ReportAsync(build, target, () => run.RunAsync(target)).ConfigureAwait(false);
        if (target == CacheFromStepTable.PruneCache)
        {
            if (run.Prune is { } prune)
                build.ReportSummary(summary => PruneSummary(summary, prune));
        }
        else if (run.Record is { } record)
            build.ReportSummary(summary => target.Step is { } step ? StepSummary(summary, record, step) : RunSummary(summary, run, record));
    }

    private static Dictionary<string, string> RunSummary(Dictionary<string, string> summary, CacheFromRun run, RunRecord record)
    {
        if (run.Summarize() is not { } figures)
            return summary;
        summary["Image"] = $"{record.Image}:{record.Tag}";
        summary["Instructions cached"] = $"{figures.CachedInstructions} of {figures.CachedInstructions + figures.BuiltInstructions}";
        summary["Fetch"] = Seconds(figures.FetchTime);
        summary["Saved"] = figures.TimeSaved is { } saved ? Seconds(saved) + (figures.TimeSavedIsPartial ? " or more" : "") : "unknown";
        summary["Verdict"] = figures.Verdict;
        return summary;
    }

    private static Dictionary<string, string> PruneSummary(Dictionary<string, string> summary, PruneResult prune)
    {
        var tags = prune.Items.Count(i => i.Kind == PruneItemKind.RegistryTag);
        var tarballs = prune.Items.Count(i => i.Kind == PruneItemKind.Tarball);
        summary[prune.DryRun ? "Would delete" : "Deleted"] = $"{tags} tags, {tarballs} tarballs, {Bytes(prune.Bytes)}";
        summary["Kept"] = prune.Kept.Count.ToString(CultureInfo.InvariantCulture);
        return summary;
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
                var instructions = record.Instructions.Where(i => i.BuiltIn == step && i.IsWork).ToList();
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
}
