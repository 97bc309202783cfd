using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>Saves the final and stage images into the store, atomically; a failure is a warning.</summary>
internal sealed class SaveTarballStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.SaveTarball;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var built = context.Stages.Where(s => context.StageRecord(s).ImageId is not null).Select(s => s.Image.ToString()).ToList();
        if (built.Count == 0)
        {
            record.Degrade("nothing was built in this run; run BuildFinalStage (or DockerPublish) before SaveTarball");
            return;
        }

        var path = context.Tarballs.PathFor(context.Settings.Image);
        try
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            record.BytesSaved = await context.Tarballs.WriteAsync(
                context.Settings.Image,
                async (stream, token) => await context.Engine.SaveAsync(built, stream, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            context.Record.Transfers.Add(new TransferRecord(TransferRecord.Tarball, fetch: false, record.BytesSaved, stopwatch.Elapsed));
            record.Message = $"saved {built.Count} image(s) to {path}";
            context.Logger.Information("Saved {Count} image(s) to {Path}", built.Count, path);
            await context.HistoryStore.WriteTarballAsync(context.Settings, context.UpdatedHistory(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CacheFromException)
        {
            // A cache that can't be written never fails the build; the previous tarball is untouched.
            context.Logger.Warning("Could not save the cache tarball {Path}; the previous one is kept: {Reason}", path, exception.Message);
            record.Degrade($"saving {path} failed: {exception.Message}");
        }
    }
}
