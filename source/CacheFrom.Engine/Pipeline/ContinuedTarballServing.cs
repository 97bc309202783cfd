using System.Diagnostics;
using System.Text.Json;
using CacheFrom.Tarballs;

namespace CacheFrom.Pipeline;

/// <summary>
/// A run continued in another process (steps run as separate tool verbs, as the Cake recipe runs
/// them) after LoadTarball served the tarball as a registry: that registry ended with its process,
/// so the steps that read the cache serve the same file again, on a host of their own, and the
/// winners move to it. Without this every step after LoadTarball would build cold on the containerd
/// image store.
/// </summary>
internal static class ContinuedTarballServing
{
    public static async Task ResumeAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (context.CacheRegistry is not null || context.Record.ServedTarball is not { } served)
            return;

        var stopwatch = Stopwatch.StartNew();
        TarballRegistry? registry;
        string? problem = null;
        try
        {
            await using var tarball = OpenedTarball.Open(served.Path);
            registry = await TarballRegistry.OpenAsync(tarball.Stream, context.Logger, cancellationToken).ConfigureAwait(false);
            if (registry is null)
                problem = "it is no longer an OCI layout (replaced meanwhile)";
        }
        catch (Exception exception) when (exception is TarballStoreException or IOException or InvalidDataException or JsonException)
        {
            registry = null;
            problem = exception.Message;
        }

        var from = served.Host + "/";
        if (registry is null)
        {
            // A cache that cannot be read never fails a build: the winners served from it are dropped, their stages build cold.
            foreach (var stage in context.Record.Stages.Where(s => s.Winner?.StartsWith(from, StringComparison.Ordinal) == true))
                stage.Winner = null;
            context.Record.ServedTarball = null;
            context.Logger.Warning(
                "The cache tarball {Path}, served to BuildKit by an earlier process of this run, cannot be served again; its stages build cold: {Reason}",
                served.Path, problem);
            return;
        }

        context.CacheRegistry = registry;
        foreach (var stage in context.Record.Stages.Where(s => s.Winner?.StartsWith(from, StringComparison.Ordinal) == true))
            stage.Winner = registry.Host + "/" + stage.Winner![from.Length..];
        context.Record.ServedTarball = served with { Host = registry.Host };
        context.Logger.Information(
            "Continuing run {RunId}: serving the cache tarball {Path} to BuildKit again at {Host} ({Seconds:0.0} s)",
            context.Record.RunId, served.Path, registry.Host, stopwatch.Elapsed.TotalSeconds);
    }
}
