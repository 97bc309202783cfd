using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Docker.Registry;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Resilience;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Picks each stage's best existing candidate without pulling, then pulls only the winners
/// that the builder cannot read from the registry itself (all of them for the classic builder;
/// for BuildKit only when credentials are needed and no session can carry them).
/// </summary>
internal sealed class ResolveCacheStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.ResolveCache;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        // The context is indexed and the base images resolved while the candidates are checked (on
        // the thread pool: the walk of the context is synchronous up to its first await).
        var fingerprints = Task.Run(() => RunFingerprinting.EnsureAsync(context, cancellationToken), cancellationToken);
        var labels = (Task<IReadOnlyList<string?>>?)null;
        try
        {
            await ResolveAsync(context, record, fingerprints, started => labels = started, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing may go on using the engine or the registry after the step ended.
            await SettleAsync(fingerprints).ConfigureAwait(false);
            if (labels is not null)
                await SettleAsync(labels).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ResolveAsync(
        RunContext context,
        StepRecord record,
        Task<RunFingerprints?> fingerprints,
        Action<Task<IReadOnlyList<string?>>> labelsStarted,
        CancellationToken cancellationToken)
    {

        // Transient registry faults are retried (bounded) before a candidate counts as unreadable.
        var retry = context.Retry;
        var registryProblem = (string?)null;
        foreach (var stage in context.Stages)
        {
            var stageRecord = context.StageRecord(stage);
            stageRecord.Candidates.Clear();
            stageRecord.Winner = null;
            foreach (var candidate in stage.Candidates)
            {
                var (found, source, error) = await CheckAsync(context, retry, candidate, registryProblem, cancellationToken).ConfigureAwait(false);
                if (error is not null && registryProblem is null)
                {
                    // One unreachable or refusing registry is enough to know: don't ask it again for every candidate.
                    registryProblem = error;
                    record.Degrade(error);
                    context.Logger.Warning("Registry cache unavailable, building without it where no tarball helps: {Reason}", error);
                }

                stageRecord.Candidates.Add(found);
                if (found.Exists)
                {
                    stageRecord.Winner = found.Reference;
                    context.Logger.Information("Cache for {Stage}: {Winner} ({Source})", stage.Name, found.Reference, source);
                    break;
                }
            }

            if (stageRecord.Winner is null)
                context.Logger.Information("Cache for {Stage}: no candidate exists; it builds cold", stage.Name);
        }

        // What the winners were built from is read while the history is.
        var labels = RunFingerprinting.WinnerFingerprintsAsync(context, fingerprints, cancellationToken);
        labelsStarted(labels);

        // History travels with the cache; fetching it is part of the cost of fetching the cache.
        var history = await ReadHistoryAsync(context, askRegistry: registryProblem is null, cancellationToken).ConfigureAwait(false);
        context.Record.History = [.. history.Entries];
        context.Record.HistoryFingerprints = [.. history.Fingerprints];
        context.Record.HistoryTransfers = [.. history.Transfers];

        // What each winner was built from against this run: the skip decision and the reason of every miss.
        if (await fingerprints.ConfigureAwait(false) is { } computed)
            RunFingerprinting.Compare(context, computed, await labels.ConfigureAwait(false), history);

        // Before anything is fetched: a winner predicted to cost more than it saves is dropped (docs/fetch-cost.md).
        await FetchCostGate.DecideRegistryWinnersAsync(context, context.BuilderNeedsLocalImages, cancellationToken).ConfigureAwait(false);
        await PullWinnersAsync(context, retry, record, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SettleAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The step's own failure is the one reported.
        }
    }

    /// <summary>
    /// History is cache too: a registry this run already found unreachable is not asked again (its
    /// retries would only cost the run their time); the store bounds the read itself.
    /// </summary>
    private static Task<CacheHistory> ReadHistoryAsync(RunContext context, bool askRegistry, CancellationToken cancellationToken) =>
        context.HistoryStore.ReadAsync(context.Settings, askRegistry ? context.Registry : null, cancellationToken);

    private static async Task<(CandidateRecord Found, string Source, string? Error)> CheckAsync(
        RunContext context, RetryExecutor retry, ImageReference candidate, string? registryProblem, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var stopwatch = Stopwatch.StartNew();
        if (settings.UsesTarball && context.CacheRegistry?.Serve(candidate) is { } served)
            return (Done(served, "tarball", exists: true, stopwatch), "tarball", null);
        if (settings.UsesTarball && await context.Engine.ExistsLocallyAsync(candidate.ToString(), cancellationToken).ConfigureAwait(false))
            return (Done(candidate, "tarball", exists: true, stopwatch), "tarball", null);
        if (!settings.UsesRegistry)
            return (Done(candidate, "tarball", exists: false, stopwatch), "tarball", null);
        if (registryProblem is not null)
            return (Done(candidate, "registry", exists: false, stopwatch, "not checked: " + registryProblem), "registry", null);

        try
        {
            var remote = await retry.ExecuteAsync(
                new RegistryOperation($"registry check of {candidate}", RegistryName(candidate), AttemptLimit.Timeout),
                (_, token) => context.Engine.InspectRemoteAsync(candidate, settings.Credentials, token),
                cancellationToken).ConfigureAwait(false);
            return (Done(candidate, "registry", remote is not null, stopwatch), "registry", null);
        }
        catch (RegistryException exception)
        {
            return (Done(candidate, "registry", exists: false, stopwatch, exception.Message), "registry", exception.Message);
        }
    }

    private static CandidateRecord Done(ImageReference candidate, string source, bool exists, Stopwatch stopwatch, string? error = null) =>
        Done(candidate.ToString(), source, exists, stopwatch, error);

    private static CandidateRecord Done(string candidate, string source, bool exists, Stopwatch stopwatch, string? error = null) =>
        new(candidate, source) { Exists = exists, CheckDuration = stopwatch.Elapsed, Error = error };

    private static string RegistryName(ImageReference reference) => RegistryOperations.RegistryName(reference);

    private static async Task PullWinnersAsync(RunContext context, RetryExecutor retry, StepRecord record, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        if (!context.BuilderNeedsLocalImages)
            return;

        var pulls = context.Stages
            .Select(stage => (Stage: stage, Record: context.StageRecord(stage)))
            .Where(s => s.Record.Winner is not null && s.Record.Candidates.Any(c => c.Exists && c.Source == "registry"))
            .Select(async s =>
            {
                var winner = s.Stage.Candidates.First(c => c.ToString() == s.Record.Winner);
                try
                {
                    var transfer = await retry.ExecuteAsync(
                        new RegistryOperation($"pull of {winner}", RegistryName(winner), AttemptLimit.Stall),
                        (heartbeat, token) => context.Engine.PullAsync(winner, settings.Credentials, heartbeat, token),
                        cancellationToken).ConfigureAwait(false);
                    return (s.Record, Bytes: transfer.Bytes, Error: (string?)null);
                }
                catch (RegistryException exception)
                {
                    return (s.Record, Bytes: 0L, Error: exception.Message);
                }
            })
            .ToList();

        // Winners are pulled in parallel: on a cold runner this is most of the step's time.
        var stopwatch = Stopwatch.StartNew();
        var pulled = await Task.WhenAll(pulls).ConfigureAwait(false);
        if (pulled.Where(p => p.Error is null).Sum(p => p.Bytes) is > 0 and var total)
            context.Record.Transfers.Add(new TransferRecord(TransferRecord.Registry, fetch: true, total, stopwatch.Elapsed));
        foreach (var (stageRecord, bytes, error) in pulled)
        {
            record.BytesPulled += bytes;
            if (error is null)
                continue;
            context.Logger.Warning("Could not pull the cache image {Winner}; {Stage} builds cold: {Reason}", stageRecord.Winner, stageRecord.Name, error);
            record.Degrade($"pull of {stageRecord.Winner} failed: {error}");
            stageRecord.Winner = null;
        }
    }
}
