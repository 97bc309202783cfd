using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tarballs;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Loads the best tarball of the store (this tag, then each fallback tag). Only a tarball that fails
/// its local read is set aside; when the engine refuses a sound one (a daemon out of disk, a 500),
/// the file stays for the next run and this one builds cold. BuildKit on the containerd image
/// store reads cache-from only from registries, so there the tarball is served as one instead.
/// </summary>
internal sealed class LoadTarballStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.LoadTarball;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var logger = context.Logger;
        var serve = context.Settings.Builder == BuilderKind.BuildKit
            && await context.Engine.UsesContainerdImageStoreAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tag in new[] { context.Settings.Image.Tag }.Concat(context.Settings.CacheFallback))
        {
            var path = context.Tarballs.PathFor(context.Settings.Image.WithTag(tag));
            if (!File.Exists(path))
            {
                logger.Debug("No tarball for tag {Tag} at {Path}", tag, path);
                continue;
            }

            OpenedTarball tarball;
            try
            {
                tarball = OpenedTarball.Open(path);
            }
            catch (TarballStoreException exception)
            {
                Unreadable(context, record, path, exception);
                continue;
            }

            await using (tarball.ConfigureAwait(false))
            {
                try
                {
                    await tarball.VerifyAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (CorruptTarballException exception)
                {
                    SetAside(context, record, tarball, exception);
                    continue;
                }
                catch (TarballStoreException exception)
                {
                    Unreadable(context, record, path, exception);
                    continue;
                }

                if (!await FetchCostGate.ShouldLoadTarballAsync(context, record, path, cancellationToken).ConfigureAwait(false))
                    return;

                if (serve)
                {
                    try
                    {
                        await ServeAsync(context, record, tarball, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    catch (Exception exception) when (exception is InvalidDataException or System.Text.Json.JsonException)
                    {
                        // The layout passed the local read but its index is not one: as corrupt as a bad manifest.
                        SetAside(context, record, tarball, new CorruptTarballException($"its OCI index cannot be read ({exception.Message})", exception));
                        continue;
                    }
                }

                try
                {
                    var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                    var (loaded, transfer) = await context.Engine.LoadAsync(tarball.Stream, cancellationToken).ConfigureAwait(false);
                    record.BytesLoaded += transfer.Bytes;
                    context.Record.Transfers.Add(new TransferRecord(TransferRecord.Tarball, fetch: true, transfer.Bytes, stopwatch.Elapsed));
                    record.Message = $"loaded {loaded.Count} image(s) from {path}";
                    logger.Information("Loaded {Count} cache image(s) from {Path}", loaded.Count, path);
                    return;
                }
                catch (TarballStoreException exception)
                {
                    Unreadable(context, record, path, exception);
                    continue;
                }
                catch (CacheFromException exception) when (exception is not DockerEngineUnavailableException)
                {
                    // The file passed its local read: the engine's trouble is no reason to take it from the next run.
                    record.Degrade($"the engine could not load {path}, which is left in place: {exception.Message}");
                    logger.Warning("The cache tarball {Path} is sound but the engine could not load it; it is left in place and this run builds cold: {Reason}", path, exception.Message);
                    break;
                }
            }
        }

        record.Message ??= $"no cache tarball in {context.Tarballs.Directory}; building cold";
        logger.Information("No cache tarball loaded from {Directory}", context.Tarballs.Directory);
    }

    /// <summary>
    /// BuildKit on the containerd image store reads cache-from only from registries, never from
    /// loaded images: the tarball (an OCI layout there) is served as a registry on a loopback port
    /// instead of loaded. Only an engine on this machine can reach it.
    /// </summary>
    private static async Task ServeAsync(RunContext context, StepRecord record, OpenedTarball tarball, CancellationToken cancellationToken)
    {
        if (!context.Engine.Endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            // One message, logged by the step runner with the step's outcome.
            record.Degrade(
                $"BuildKit on this Docker engine (containerd image store) reads cache-from only from a registry, never from loaded images, and the "
                + $"engine at {context.Engine.Endpoint} is not on this machine, so the tarball cannot be served to it and the build runs cold. "
                + "Use docker-cache registry (or both) with docker-builder buildkit, which hits through the inline cache on this engine");
            return;
        }

        var registry = await TarballRegistry.OpenAsync(tarball.Stream, context.Logger, cancellationToken).ConfigureAwait(false);
        if (registry is null)
        {
            record.Degrade(
                $"the tarball {tarball.Path} was saved by an engine without the containerd image store (no OCI layout), which BuildKit here cannot read "
                + "as cache; the build runs cold and this run saves a tarball it can read");
            return;
        }

        context.CacheRegistry = registry;
        context.Record.ServedTarball = new ServedTarball(tarball.Path, registry.Host);
        record.BytesLoaded += tarball.Stream.Length;
        record.Message = $"serving {registry.ImageCount} cache image(s) from {tarball.Path} to BuildKit at {registry.Host}";
        context.Logger.Information(
            "BuildKit on the containerd image store reads cache only from registries: serving {Count} cache image(s) from {Path} at {Host}",
            registry.ImageCount, tarball.Path, registry.Host);
    }

    private static void SetAside(RunContext context, StepRecord record, OpenedTarball tarball, CorruptTarballException exception)
    {
        var outcome = context.Tarballs.Quarantine(tarball);
        if (outcome.Aside is not null)
        {
            context.Record.QuarantinedTarballs.Add(outcome.Aside);
            record.Degrade($"tarball {tarball.Path} could not be loaded ({exception.Message}) and was set aside as {outcome.Aside}");
            context.Logger.Warning("The cache tarball {Path} could not be loaded and was set aside as {Aside}: {Reason}", tarball.Path, outcome.Aside, exception.Message);
        }
        else
        {
            var left = outcome.ReplacedMeanwhile ? "another run replaced it meanwhile, so the new file is left in place" : "it could not be set aside";
            record.Degrade($"tarball {tarball.Path} could not be loaded ({exception.Message}); {left}");
            context.Logger.Warning("The cache tarball {Path} could not be loaded; {Left}: {Reason}", tarball.Path, left, exception.Message);
        }
    }

    private static void Unreadable(RunContext context, StepRecord record, string path, TarballStoreException exception)
    {
        record.Degrade($"tarball {path} could not be read ({exception.Message})");
        context.Logger.Warning("The cache tarball {Path} could not be read: {Reason}", path, exception.Message);
    }
}
