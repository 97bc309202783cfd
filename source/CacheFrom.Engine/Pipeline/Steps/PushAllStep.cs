using CacheFrom.Recording;
using CacheFrom.Resilience;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Pushes the final image (the deliverable: a failure fails the run), then the stage images
/// (cache only: a failure is a warning).
/// </summary>
internal sealed class PushAllStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.PushAll;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        // Transient registry faults are retried (bounded); a stalled push is cancelled on our side after StallTimeout.
        var retry = new RetryExecutor(settings.Retry, TimeProvider.System, context.Logger);
        var final = context.Stages.Single(s => s.IsFinal);
        RequireBuilt(context, final);
        try
        {
            var transfer = await PushAsync(context, retry, final, cancellationToken).ConfigureAwait(false);
            record.BytesPushed += transfer.Bytes;
        }
        catch (RegistryException exception)
        {
            throw new RegistryException(exception.Registry, $"Pushing the image {final.Image} failed: {exception.Message}", exception);
        }

        if (!settings.UsesRegistry)
            return; // stage images are cache; without registry cache nobody reads them there

        foreach (var stage in context.Stages.Where(s => !s.IsFinal))
        {
            try
            {
                RequireBuilt(context, stage);
                var transfer = await PushAsync(context, retry, stage, cancellationToken).ConfigureAwait(false);
                record.BytesPushed += transfer.Bytes;
            }
            catch (CacheFromException exception)
            {
                context.Logger.Warning("Could not push the cache image {Image}; the next run may build {Stage} cold: {Reason}", stage.Image.ToString(), stage.Name, exception.Message);
                record.Degrade($"push of cache image {stage.Image} failed: {exception.Message}");
            }
        }

        await context.HistoryStore.PushAsync(settings, context.Engine, context.UpdatedHistory(), cancellationToken).ConfigureAwait(false);
    }

    private static Task<Docker.TransferResult> PushAsync(RunContext context, RetryExecutor retry, StageImage stage, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(
            new RegistryOperation($"push of {stage.Image}", Docker.RegistryOperations.RegistryName(stage.Image), AttemptLimit.Stall),
            (heartbeat, token) => context.Engine.PushAsync(stage.Image, context.Settings.Credentials, heartbeat, token),
            cancellationToken);

    private static void RequireBuilt(RunContext context, StageImage stage)
    {
        if (context.StageRecord(stage).ImageId is null)
            throw new CacheFromException($"{stage.Image} was not built in this run; run BuildFinalStage (or DockerPublish) before PushAll.");
    }
}
