using System.Globalization;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>
/// One fetch decision as the reports print it: the prediction (bytes, throughput, fetch time,
/// saving) next to what happened — for a fetched cache the time its hits saved, for a stage built
/// cold the time building those instructions took.
/// </summary>
internal sealed record FetchCostLine(FetchDecisionRecord Decision, TimeSpan? ActualSaving, TimeSpan ColdBuild, int Cached, int Built)
{
    public string Scope => Decision.Stage ?? "every stage";

    public string Outcome => Decision.Fetch ? "fetched" : "built cold";

    public string Bytes => Decision.PredictedBytes is { } b ? ReportFormat.Bytes(b) : "unknown";

    public string Throughput => Decision.Throughput is { } t
        ? ReportFormat.Bytes((long)t) + "/s" + (Decision.ThroughputFromFetches ? "" : " (from stores)")
        : "unknown";

    public string PredictedFetch => Decision.PredictedFetch is { } f ? ReportFormat.Seconds(f) : "unknown";

    public string PredictedSaving => Decision.PredictedSaving is { } s
        ? ReportFormat.Seconds(s) + (Decision.HitsKnown < Decision.HitsPredicted ? string.Create(CultureInfo.InvariantCulture, $" (known for {Decision.HitsKnown} of {Decision.HitsPredicted})") : "")
        : "unknown";

    /// <summary>What happened: the saving measured for a fetched cache, the cold build time for one that was not.</summary>
    public string Happened => Decision.Fetch
        ? string.Create(CultureInfo.InvariantCulture, $"{Cached} cached, saved {(ActualSaving is { } a ? ReportFormat.Seconds(a) : "unknown")}")
        : string.Create(CultureInfo.InvariantCulture, $"{Built} built cold in {ReportFormat.Seconds(ColdBuild)}");

    /// <summary>One line for the log's summary.</summary>
    public override string ToString() =>
        $"{Scope}: {Outcome} ({Decision.Reason}) — {Bytes} at {Throughput} ≈ {PredictedFetch} to fetch, ≈ {PredictedSaving} saved; happened: {Happened}";

    public static IReadOnlyList<FetchCostLine> Of(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var effective = RunInstructions.Effective(record);
        return record.FetchDecisions.Select(d =>
        {
            var mine = effective.Where(i => d.Stage is null || string.Equals(i.Key.Stage, d.Stage, StringComparison.OrdinalIgnoreCase)).Select(i => i.Record).ToList();
            var cached = mine.Where(i => i.Cached).ToList();
            var known = cached.Where(i => i.ColdDuration is not null).ToList();
            TimeSpan? saving = cached.Count == 0 ? TimeSpan.Zero
                : known.Count == 0 ? null
                : known.Aggregate(TimeSpan.Zero, (sum, i) => sum + Max(TimeSpan.Zero, i.ColdDuration!.Value - i.Duration));
            var built = mine.Where(i => !i.Cached).ToList();
            return new FetchCostLine(d, saving, built.Aggregate(TimeSpan.Zero, (sum, i) => sum + i.Duration), cached.Count, built.Count);
        }).ToList();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
