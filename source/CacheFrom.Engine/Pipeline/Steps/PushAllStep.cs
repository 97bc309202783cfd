using CacheFrom.Docker.Registry;
using CacheFrom.Docker.Streams;
using CacheFrom.Recording;
using CacheFrom.Resilience;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Pushes the final image (the deliverable: a failure fails the run), then the stage images and
/// the cache history (cache only: a failure is a warning). A stage that was not built because its
/// registry winner has its inputs (<see cref="StageSkip"/>) is published registry-side instead:
/// nothing when the winner is this tag's image, else a manifest copy.
/// </summary>
internal sealed class PushAllStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.PushAll;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        // Transient registry faults are retried (bounded); a stalled push is cancelled on our side after StallTimeout.
        var retry = context.Retry;
        var final = context.Stages.Single(s => s.IsFinal);
        RequireBuilt(context, final);
        try
        {
            if (PublishedInRegistry(context, final))
            {
                await StageSkip.PublishAsync(context, final, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                var transfer = await PushAsync(context, retry, final, cancellationToken).ConfigureAwait(false);
                record.BytesPushed += transfer.Bytes;
                // The link's speed for the next run's fetch prediction (BuildKit's import can't be timed apart from its build).
                context.Record.Transfers.Add(new TransferRecord(TransferRecord.Registry, fetch: false, transfer.Bytes, stopwatch.Elapsed));
            }
        }
        catch (RegistryException exception)
        {
            throw new RegistryException(exception.Registry, $"Pushing the image {final.Image} failed: {exception.Message}", exception) { Kind = exception.Kind };
        }

        if (!settings.UsesRegistry)
            return; // stage images are cache; without registry cache nobody reads them there

        // Cache images and the history go up together: on a warm run each is mostly round trips
        // answering "layer already exists", so doing them one after another only adds latency.
        // The history goes straight to the registry (a small artifact), not through the engine.
        var history = context.HistoryStore.PushAsync(settings, context.Registry, context.UpdatedHistory(), cancellationToken);
        var pushes = context.Stages.Where(s => !s.IsFinal).Select(stage => PushCacheImageAsync(context, retry, stage, cancellationToken)).ToList();
        foreach (var (stage, bytes, error) in await Task.WhenAll(pushes).ConfigureAwait(false))
        {
            record.BytesPushed += bytes;
            if (error is null)
                continue;
            context.Logger.Warning("Could not push the cache image {Image}; the next run may build {Stage} cold: {Reason}", stage.Image.ToString(), stage.Name, error);
            record.Degrade($"push of cache image {stage.Image} failed: {error}");
        }

        await history.ConfigureAwait(false);
    }

    private static async Task<(StageImage Stage, long Bytes, string? Error)> PushCacheImageAsync(
        RunContext context, RetryExecutor retry, StageImage stage, CancellationToken cancellationToken)
    {
        try
        {
            RequireBuilt(context, stage);
            if (PublishedInRegistry(context, stage))
            {
                await StageSkip.PublishAsync(context, stage, cancellationToken).ConfigureAwait(false);
                return (stage, 0, null);
            }

            var transfer = await PushAsync(context, retry, stage, cancellationToken).ConfigureAwait(false);
            return (stage, transfer.Bytes, null);
        }
        catch (CacheFromException exception)
        {
            return (stage, 0, exception.Message);
        }
    }

    private static Task<TransferResult> PushAsync(RunContext context, RetryExecutor retry, StageImage stage, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(
            new RegistryOperation($"push of {stage.Image}", RegistryOperations.RegistryName(stage.Image), AttemptLimit.Stall),
            (heartbeat, token) => context.Engine.PushAsync(stage.Image, context.Settings.Credentials, heartbeat, token),
            cancellationToken);

    /// <summary>Skipped, with its winner in the registry: published there, never pushed from the engine.</summary>
    private static bool PublishedInRegistry(RunContext context, StageImage stage) =>
        context.StageRecord(stage) is { Skipped: true } record && StageSkip.WinnerInRegistry(record);

    private static void RequireBuilt(RunContext context, StageImage stage)
    {
        if (context.StageRecord(stage) is { ImageId: null, Skipped: false })
            throw new CacheFromException($"{stage.Image} was not built in this run; run BuildFinalStage (or DockerPublish) before PushAll.");
    }
}
