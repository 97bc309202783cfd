using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>Loads the best tarball of the store (this tag, then each fallback tag); a corrupt one is set aside.</summary>
internal sealed class LoadTarballStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.LoadTarball;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var logger = context.Logger;
        foreach (var tag in new[] { context.Settings.Image.Tag }.Concat(context.Settings.CacheFallback))
        {
            var path = context.Tarballs.PathFor(context.Settings.Image.WithTag(tag));
            if (!File.Exists(path))
            {
                logger.Debug("No tarball for tag {Tag} at {Path}", tag, path);
                continue;
            }

            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                var (loaded, transfer) = await context.Engine.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
                record.BytesLoaded += transfer.Bytes;
                record.Message = $"loaded {loaded.Count} image(s) from {path}";
                logger.Information("Loaded {Count} cache image(s) from {Path}", loaded.Count, path);
                return;
            }
            catch (CorruptTarballException exception)
            {
                var aside = context.Tarballs.Quarantine(path);
                if (aside is not null)
                    context.Record.QuarantinedTarballs.Add(aside);
                record.Degrade($"tarball {path} could not be loaded ({exception.Message}) and was set aside");
                logger.Warning("The cache tarball {Path} could not be loaded and was set aside as {Aside}: {Reason}", path, aside, exception.Message);
            }
            catch (IOException exception)
            {
                record.Degrade($"tarball {path} could not be read ({exception.Message})");
                logger.Warning("The cache tarball {Path} could not be read: {Reason}", path, exception.Message);
            }
        }

        record.Message ??= $"no cache tarball in {context.Tarballs.Directory}; building cold";
        logger.Information("No cache tarball loaded from {Directory}", context.Tarballs.Directory);
    }
}
