using CacheFrom.Configuration;
using CacheFrom.History;
using CacheFrom.Recording;

namespace CacheFrom.FetchCost;

/// <summary>
/// Predicts, from the cache history alone, what fetching one cache will cost and save, and decides
/// (<c>docker-cache-fetch</c>): bytes to move over the throughput earlier runs measured against the
/// cold durations of the instructions it would serve. When any figure is unknown it fetches, as
/// every run did before the prediction existed. Pure: no clock, no Docker.
/// </summary>
internal static class FetchCostPredictor
{
    /// <param name="stage">The stage the cache is for; null for a tarball (every stage).</param>
    /// <param name="bytes">What the fetch would move; null when it can't be told.</param>
    /// <param name="hits">The instructions it would serve, each by its possible history keys.</param>
    public static FetchDecisionRecord Predict(
        CacheFetchMode mode, CacheHistory history, string? stage, string source, string reference, long? bytes, IReadOnlyList<IReadOnlyList<InstructionKey>> hits)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(hits);
        var throughput = Throughput.Estimate(history.Transfers, source);
        var known = hits.Select(keys => keys.Select(history.ColdDuration).FirstOrDefault(d => d is not null)).Where(d => d is not null).Select(d => d!.Value).ToList();
        var saving = known.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);
        TimeSpan? fetchTime = bytes is { } b && throughput is not null ? throughput.TimeFor(b) : null;

        var (fetch, reason) = Decide(mode, bytes, throughput, fetchTime, saving, hits.Count, known.Count);
        return new FetchDecisionRecord(stage, source, reference, mode, fetch, reason)
        {
            PredictedBytes = bytes,
            Throughput = throughput is null ? null : Math.Round(throughput.BytesPerSecond),
            ThroughputSamples = throughput?.Samples ?? 0,
            ThroughputFromFetches = throughput?.FromFetches ?? false,
            PredictedFetch = fetchTime,
            PredictedSaving = known.Count == 0 && hits.Count > 0 ? null : saving,
            HitsPredicted = hits.Count,
            HitsKnown = known.Count,
        };
    }

    private static (bool Fetch, string Reason) Decide(
        CacheFetchMode mode, long? bytes, Throughput? throughput, TimeSpan? fetchTime, TimeSpan saving, int hits, int known)
    {
        if (mode == CacheFetchMode.Never)
            return (false, "docker-cache-fetch is never");
        var costsMore = fetchTime is { } f && known == hits && FetchCostMargin.CostsMoreThanItSaves(f, saving);
        if (mode == CacheFetchMode.Always)
            return (true, costsMore ? "docker-cache-fetch is always (predicted to cost more than it saves)" : "docker-cache-fetch is always");
        if (bytes is null)
            return (true, "the size of the cache is unknown");
        if (throughput is null)
            return (true, "no transfer from this source measured yet");
        if (known < hits)
            return (true, $"no cold duration known for {hits - known} of {hits} instructions it would serve");
        return costsMore
            ? (false, "fetching is predicted to cost more than it saves")
            : (true, "fetching is predicted to pay off");
    }
}
