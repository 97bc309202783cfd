using System.Globalization;
using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>
/// The sum of one run: what fetching and storing the cache cost, what the cache saved, and a
/// one-line verdict. Small and public so NUKE and Cake hosts can show the headline figures.
/// </summary>
public sealed class RunSummary
{
    private RunSummary()
    {
    }

    /// <summary>LoadTarball + ResolveCache (existence checks and pulls included).</summary>
    public TimeSpan FetchTime { get; private init; }

    /// <summary>PushAll + SaveTarball.</summary>
    public TimeSpan StoreTime { get; private init; }

    /// <summary>BuildBuilderStage + BuildFinalStage.</summary>
    public TimeSpan BuildTime { get; private init; }

    /// <summary>All steps together.</summary>
    public TimeSpan TotalTime { get; private init; }

    /// <summary>
    /// Cold duration minus actual duration, summed over the cached instructions whose cold
    /// duration history knows; null when none is known (but some were cached). When history
    /// knows only some (<see cref="TimeSavedKnownFor"/> &lt; <see cref="CachedInstructions"/>) it is a lower bound.
    /// </summary>
    public TimeSpan? TimeSaved { get; private init; }

    /// <summary>How many of the cached instructions have a known cold duration.</summary>
    public int TimeSavedKnownFor { get; private init; }

    public bool TimeSavedIsPartial => TimeSaved is not null && TimeSavedKnownFor < CachedInstructions;

    /// <summary><see cref="TimeSaved"/> − <see cref="FetchTime"/> − <see cref="StoreTime"/>; null when the saving is unknown.</summary>
    public TimeSpan? Net { get; private init; }

    /// <summary>Instructions that hit a cache that came from outside this run.</summary>
    public int CachedInstructions { get; private init; }

    public int BuiltInstructions { get; private init; }

    public IReadOnlyList<StageSummary> Stages { get; private init; } = [];

    public long BytesPulled { get; private init; }

    public long BytesPushed { get; private init; }

    public long BytesLoaded { get; private init; }

    public long BytesSaved { get; private init; }

    public CacheVerdict Outcome { get; private init; }

    /// <summary>What was predicted and decided before each fetch (<c>docker-cache-fetch</c>, docs/fetch-cost.md).</summary>
    public IReadOnlyList<FetchDecisionRecord> FetchDecisions { get; private init; } = [];

    /// <summary>The predicted fetch time of the caches that were fetched, next to <see cref="FetchTime"/>; null when one of them had no prediction.</summary>
    public TimeSpan? PredictedFetchTime { get; private init; }

    /// <summary>The predicted saving of the caches that were fetched, next to <see cref="TimeSaved"/>; null when one of them had no prediction.</summary>
    public TimeSpan? PredictedTimeSaved { get; private init; }

    /// <summary>Caches not fetched because fetching was predicted to cost more than it saves, or docker-cache-fetch never.</summary>
    public int NotFetched { get; private init; }

    /// <summary>The predicted fetch time of the caches not fetched: what building cold avoided.</summary>
    public TimeSpan? FetchAvoided { get; private init; }

    /// <summary>One line, e.g. "Cache paid off: saved 41.2 s for 3.1 s of fetching and storing."</summary>
    public string Verdict { get; private init; } = "";

    public static RunSummary Compute(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fetch = StepTime(record, PipelineStep.LoadTarball, PipelineStep.ResolveCache);
        var store = StepTime(record, PipelineStep.PushAll, PipelineStep.SaveTarball);
        var build = StepTime(record, PipelineStep.BuildBuilderStage, PipelineStep.BuildFinalStage);
        var effective = RunInstructions.Effective(record);
        var cached = effective.Where(i => i.Record.Cached).Select(i => i.Record).ToList();
        var known = cached.Where(i => i.ColdDuration is not null).ToList();

        TimeSpan? saved = (cached.Count, known.Count) switch
        {
            (0, _) => TimeSpan.Zero,
            (_, 0) => null,
            _ => known.Aggregate(TimeSpan.Zero, (sum, i) => sum + Max(TimeSpan.Zero, i.ColdDuration!.Value - i.Duration)),
        };
        TimeSpan? net = saved is null ? null : saved.Value - fetch - store;
        // A found cache the builder could not use (its winner was dropped) still existed: this was no first run.
        var anyCacheFound = record.Stages.Any(s => s.Winner is not null || s.Candidates.Any(c => c.Exists));
        var (outcome, verdict) = Judge(record.Cache, cached.Count, known.Count, saved, fetch + store, effective.Count, anyCacheFound);

        return new RunSummary
        {
            FetchTime = fetch,
            StoreTime = store,
            BuildTime = build,
            TotalTime = record.Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration),
            TimeSaved = saved,
            TimeSavedKnownFor = known.Count,
            Net = net,
            CachedInstructions = cached.Count,
            BuiltInstructions = effective.Count - cached.Count,
            Stages = SummariseStages(record, effective),
            BytesPulled = record.Steps.Sum(s => s.BytesPulled),
            BytesPushed = record.Steps.Sum(s => s.BytesPushed),
            BytesLoaded = record.Steps.Sum(s => s.BytesLoaded),
            BytesSaved = record.Steps.Sum(s => s.BytesSaved),
            Outcome = outcome,
            Verdict = verdict,
            FetchDecisions = [.. record.FetchDecisions],
            PredictedFetchTime = Sum(record.FetchDecisions.Where(d => d.Fetch).Select(d => d.PredictedFetch)),
            PredictedTimeSaved = Sum(record.FetchDecisions.Where(d => d.Fetch).Select(d => d.PredictedSaving)),
            NotFetched = record.FetchDecisions.Count(d => !d.Fetch),
            FetchAvoided = Sum(record.FetchDecisions.Where(d => !d.Fetch).Select(d => d.PredictedFetch)),
        };
    }

    /// <summary>The headline figures, label → value, e.g. for NUKE's <c>ReportSummary</c>.</summary>
    public IReadOnlyDictionary<string, string> ToHeadline()
    {
        var headline = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Cache"] = Outcome switch
            {
                CacheVerdict.PaidOff => "paid off",
                CacheVerdict.DidNotPayOff => "did not pay off",
                CacheVerdict.Unclear => "unclear",
                CacheVerdict.Unknown => "unknown",
                _ => "none",
            },
            ["Time saved"] = SavedText(),
            ["Fetch + store"] = ReportFormat.Seconds(FetchTime + StoreTime),
            ["Instructions cached"] = $"{CachedInstructions}/{CachedInstructions + BuiltInstructions}",
        };
        if (Net is { } net)
            headline["Net"] = ReportFormat.SignedSeconds(net);
        if (NotFetched > 0)
            headline["Built cold by fetch cost"] = $"{NotFetched} cache(s) not fetched";
        return headline;
    }

    /// <summary>"41.2 s", "at least 41.2 s (known for 3 of 5 cached instructions)" or "unknown".</summary>
    public string SavedText() => TimeSaved switch
    {
        null => "unknown",
        { } saved when TimeSavedIsPartial =>
            $"at least {ReportFormat.Seconds(saved)} (known for {TimeSavedKnownFor} of {CachedInstructions} cached instructions)",
        { } saved => ReportFormat.Seconds(saved),
    };

    private static (CacheVerdict, string) Judge(CacheMode mode, int cached, int known, TimeSpan? saved, TimeSpan cost, int total, bool anyCacheFound)
    {
        var costText = ReportFormat.Seconds(cost);
        if (mode == CacheMode.None)
            return (CacheVerdict.NoCache, "No cache: docker-cache is none, every instruction ran cold.");
        if (cached == 0)
        {
            var what = total == 0 ? "no instructions were recorded"
                : anyCacheFound ? "nothing was cached"
                : "no cache existed yet (a cold run; the next run can use what this one stored)";
            return (CacheVerdict.DidNotPayOff, string.Create(CultureInfo.InvariantCulture, $"Cache did not pay off: {what}; fetching and storing took {costText}."));
        }

        if (saved is null)
        {
            return (CacheVerdict.Unknown, string.Create(CultureInfo.InvariantCulture,
                $"Unknown: {cached} instructions hit the cache but there is no history yet — the next run will know ({costText} of fetching and storing)."));
        }

        var partial = known < cached;
        var savedText = partial
            ? string.Create(CultureInfo.InvariantCulture, $"at least {ReportFormat.Seconds(saved.Value)} (known for {known} of {cached} cached instructions)")
            : ReportFormat.Seconds(saved.Value);
        if (saved.Value >= cost)
            return (CacheVerdict.PaidOff, $"Cache paid off: saved {savedText} for {costText} of fetching and storing.");
        if (partial)
            return (CacheVerdict.Unclear, $"Unclear: saved {savedText} for {costText} of fetching and storing; the rest has no history yet.");
        return (CacheVerdict.DidNotPayOff, $"Cache did not pay off: saved {savedText} for {costText} of fetching and storing.");
    }

    private static List<StageSummary> SummariseStages(RunRecord record, IReadOnlyList<EffectiveInstruction> effective)
    {
        var result = new List<StageSummary>();
        var names = record.Stages.Select(s => s.Name)
            .Concat(effective.Select(i => i.Key.Stage))
            .Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var stage = record.Stages.FirstOrDefault(s => s.Name == name);
            var instructions = effective.Where(i => i.Key.Stage == name).ToList();
            var cached = instructions.Count(i => i.Record.Cached);
            result.Add(new StageSummary(name, stage?.IsFinal ?? false, stage?.ImageReference, stage?.Winner, cached, instructions.Count - cached, stage?.SkippedSince));
        }

        return result;
    }

    private static TimeSpan StepTime(RunRecord record, params PipelineStep[] steps) =>
        record.Steps.Where(s => steps.Contains(s.Step)).Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Zero for no decisions; unknown (null) when any decision's figure is.</summary>
    private static TimeSpan? Sum(IEnumerable<TimeSpan?> values)
    {
        var all = values.ToList();
        return all.Any(v => v is null) ? null : all.Aggregate(TimeSpan.Zero, (sum, v) => sum + v!.Value);
    }
}
