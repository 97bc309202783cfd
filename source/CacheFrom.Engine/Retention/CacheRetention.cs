using System.Globalization;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Reporting;
using Serilog;

namespace CacheFrom.Retention;

/// <summary>
/// PruneCache: deletes the cache of branches whose cache was last written more than docker-cache-ttl
/// ago — cache-only tags in the registry (<see cref="RegistryRetention"/>, registry modes) and
/// tarballs in the store (<see cref="TarballRetention"/>, tarball modes). A dry run unless
/// docker-prune-apply: then it lists what would go, with sizes, and deletes nothing. It needs no
/// Docker engine. Time comes from the given <see cref="TimeProvider"/>.
/// </summary>
public static class CacheRetention
{
    /// <summary>Prunes with <paramref name="settings"/>; a registry without deletes throws <see cref="RegistryDeletesDisabledException"/> (after the tarballs were pruned).</summary>
    public static async Task<PruneResult> PruneAsync(CacheFromSettings settings, ILogger logger, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = time ?? TimeProvider.System;
        using var registry = settings.UsesRegistry ? new RegistryClient(settings.Retry, clock, logger) : null;
        return await PruneAsync(settings, registry, logger, clock, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<PruneResult> PruneAsync(CacheFromSettings settings, RegistryClient? registry, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - settings.CacheTtl;
        var dryRun = !settings.PruneApply;
        logger.Information("PruneCache: the cache of branches last written before {Cutoff:yyyy-MM-dd HH:mm} UTC (docker-cache-ttl {Ttl}); {Mode:l}",
            cutoff, Ttl(settings.CacheTtl), dryRun ? "a dry run, nothing is deleted (docker-prune-apply deletes)" : "deleting");

        var items = new List<PruneItem>();
        var kept = new List<KeptItem>();
        var registryRetention = registry is not null && settings.UsesRegistry ? new RegistryRetention(registry, logger) : null;
        if (registryRetention is not null)
        {
            var (tags, keptTags) = await registryRetention.PlanAsync(settings, cutoff, cancellationToken).ConfigureAwait(false);
            items.AddRange(tags);
            kept.AddRange(keptTags);
        }

        var tarballs = settings.UsesTarball ? new TarballRetention(logger) : null;
        if (tarballs is not null)
        {
            var (files, keptFiles) = tarballs.Plan(settings, cutoff);
            items.AddRange(files);
            kept.AddRange(keptFiles);
        }

        var now = time.GetUtcNow();
        foreach (var item in items)
        {
            logger.Information("{Verb:l} {Name:l} ({Size:l}; last written {Written:yyyy-MM-dd HH:mm} UTC, {Days:0} days ago)",
                dryRun ? "Would delete" : "Deletes", item.Name, ReportFormat.Bytes(item.Bytes), item.LastWritten, (now - item.LastWritten).TotalDays);
        }

        var result = new PruneResult(dryRun, settings.CacheTtl, cutoff, items, kept);
        if (!dryRun)
        {
            tarballs?.Delete(items);
            if (registryRetention is not null)
                await registryRetention.DeleteAsync(settings, items, cancellationToken).ConfigureAwait(false);
        }

        var tagCount = items.Count(i => i.Kind == PruneItemKind.RegistryTag);
        var fileCount = items.Count(i => i.Kind == PruneItemKind.Tarball);
        if (dryRun)
        {
            logger.Information("PruneCache would delete {Tags} cache tags and {Files} tarballs, {Size:l} in all; {Kept} cache items kept. Run with docker-prune-apply to delete them",
                tagCount, fileCount, ReportFormat.Bytes(result.Bytes), kept.Count);
        }
        else
        {
            logger.Information("PruneCache deleted {Tags} of {TagCount} cache tags and {Files} of {FileCount} tarballs ({Size:l}); {Kept} cache items kept. "
                + "A registry frees the layers only when its garbage collection runs",
                items.Count(i => i.Kind == PruneItemKind.RegistryTag && i.Deleted), tagCount, items.Count(i => i.Kind == PruneItemKind.Tarball && i.Deleted), fileCount,
                ReportFormat.Bytes(result.Bytes), kept.Count);
        }

        return result;
    }

    private static string Ttl(TimeSpan ttl) =>
        ttl.TotalDays >= 1 && ttl.TotalDays == Math.Floor(ttl.TotalDays) ? string.Create(CultureInfo.InvariantCulture, $"{ttl.TotalDays:0}d") : string.Create(CultureInfo.InvariantCulture, $"{ttl.TotalHours:0.##}h");
}
