using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.FetchCost;
using CacheFrom.History;
using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

/// <summary>
/// Where the pipeline asks <see cref="FetchCostPredictor"/> before fetching cache: the tarball
/// before LoadTarball loads it, each stage's registry winner before ResolveCache pulls it (classic)
/// or hands it to BuildKit. A cache predicted to cost more than it saves is not fetched: its
/// stage (every stage, for a tarball) builds cold, with the numbers logged and recorded.
/// </summary>
internal static class FetchCostGate
{
    /// <summary>False when the tarball at <paramref name="path"/> is not to be loaded; the decision is recorded either way.</summary>
    public static async Task<bool> ShouldLoadTarballAsync(RunContext context, StepRecord record, string path, CancellationToken cancellationToken)
    {
        var mode = context.Settings.CacheFetch;
        // The tarball's own history (history.json beside it): what the run that saved it built, and the speeds measured here.
        var history = mode == CacheFetchMode.Never
            ? CacheHistory.Empty
            : await context.HistoryStore.ReadAsync(context.Settings, registry: null, cancellationToken).ConfigureAwait(false);
        var decision = FetchCostPredictor.Predict(mode, history, stage: null, TransferRecord.Tarball, path, new FileInfo(path).Length, PredictedHits.LastSaved(history));
        Record(context, decision);
        if (!decision.Fetch)
            record.Message = $"not loaded {path}: {decision.Reason}; every stage builds cold";
        return decision.Fetch;
    }

    /// <summary>
    /// After the comparison with the winners' records and before any pull: each stage whose winner
    /// is in the registry keeps it or builds cold. Winners already on the engine (a loaded tarball)
    /// cost nothing more and are kept, unless docker-cache-fetch is never.
    /// </summary>
    public static async Task DecideRegistryWinnersAsync(RunContext context, bool builderPulls, CancellationToken cancellationToken)
    {
        var mode = context.Settings.CacheFetch;
        var history = context.KnownHistory();
        foreach (var stage in context.Stages)
        {
            var stageRecord = context.StageRecord(stage);
            if (stageRecord.Winner is not { } winner)
                continue;
            // An unchanged stage is not built at all (docker-cache-skip): nothing is fetched for it, there is nothing to weigh.
            if (context.Settings.Skip && stageRecord.Compared && stageRecord.InputsUnchanged)
                continue;
            var fromRegistry = StageSkip.WinnerInRegistry(stageRecord);
            if (!fromRegistry && mode != CacheFetchMode.Never)
                continue;

            var fingerprint = context.Record.Fingerprints.FirstOrDefault(f => string.Equals(f.Stage, stage.Name, StringComparison.OrdinalIgnoreCase));
            var hits = fingerprint is null ? null : PredictedHits.Of(fingerprint, stageRecord);
            var keys = fingerprint is null || hits is null ? StageLastSaved(history, stage.Name) : PredictedHits.Keys(fingerprint, hits);
            long? bytes = null;
            if (fromRegistry && mode != CacheFetchMode.Never)
            {
                var layers = await LayerSizesAsync(context, stage, winner, cancellationToken).ConfigureAwait(false);
                bytes = layers is null ? null
                    : builderPulls || fingerprint is null || hits is null ? CacheLayers.All(layers)
                    : CacheLayers.Reused(layers, fingerprint.Instructions.Count(CacheLayers.MakesLayer), hits.Count(CacheLayers.MakesLayer));
            }

            var decision = FetchCostPredictor.Predict(mode, history, stage.Name, fromRegistry ? TransferRecord.Registry : TransferRecord.Tarball, winner, bytes, keys);
            Record(context, decision);
            if (!decision.Fetch)
                stageRecord.Winner = null;
        }
    }

    private static void Record(RunContext context, FetchDecisionRecord decision)
    {
        context.Record.FetchDecisions.Add(decision);
        var what = decision.Stage ?? "every stage";
        const double MiB = 1024 * 1024;
        if (decision.Fetch)
        {
            context.Logger.Information(
                "Fetch cost of {Reference:l} for {Stage:l}: {MiB:0.0} MiB at {MiBPerSecond:0.00} MiB/s ≈ {FetchSeconds:0.0} s to fetch, ≈ {SavedSeconds:0.0} s saved by {Hits} instructions; fetching: {Reason:l}",
                decision.Reference, what, decision.PredictedBytes / MiB, decision.Throughput / MiB, decision.PredictedFetch?.TotalSeconds,
                decision.PredictedSaving?.TotalSeconds, decision.HitsPredicted, decision.Reason);
        }
        else
        {
            context.Logger.Warning(
                "Not fetching {Reference:l}; {Stage:l} builds cold: {Reason:l} ({MiB:0.0} MiB at {MiBPerSecond:0.00} MiB/s ≈ {FetchSeconds:0.0} s to fetch, ≈ {SavedSeconds:0.0} s saved by {Hits} instructions)",
                decision.Reference, what, decision.Reason, decision.PredictedBytes / MiB, decision.Throughput / MiB, decision.PredictedFetch?.TotalSeconds,
                decision.PredictedSaving?.TotalSeconds, decision.HitsPredicted);
        }
    }

    /// <summary>The compressed sizes of the winner's layers (this machine's platform, for an index), or null when the registry can't tell.</summary>
    private static async Task<IReadOnlyList<long>?> LayerSizesAsync(RunContext context, StageImage stage, string winner, CancellationToken cancellationToken)
    {
        var reference = stage.Candidates.First(c => c.ToString() == winner);
        var repository = RegistryRepository.Of(reference);
        var credentials = context.Settings.Credentials;
        try
        {
            var manifest = await context.Registry.Manifests.GetAsync(repository, reference.Tag, credentials, cancellationToken).ConfigureAwait(false);
            if (manifest is { IsIndex: true } && manifest.ForPlatform(Platform.Default) is { } entry)
                manifest = await context.Registry.Manifests.GetAsync(repository, entry.Digest, credentials, cancellationToken).ConfigureAwait(false);
            return manifest is { IsIndex: false } ? manifest.Layers.Select(l => l.Size).ToList() : null;
        }
        catch (Exception exception) when (exception is CacheFromException or HttpRequestException or TimeoutException)
        {
            context.Logger.Warning("Could not read the layers of {Winner} ({Reason}); it is fetched without a cost prediction", winner, exception.Message);
            return null;
        }
    }

    private static IReadOnlyList<IReadOnlyList<InstructionKey>> StageLastSaved(CacheHistory history, string stage) =>
        PredictedHits.LastSaved(new CacheHistory(history.Entries.Where(e => string.Equals(e.Stage, stage, StringComparison.OrdinalIgnoreCase))));
}
