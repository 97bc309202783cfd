using System.Collections.Concurrent;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using Serilog;

namespace CacheFrom.Retention;

/// <summary>
/// The registry half of PruneCache, in the image's repository: lists the tags, groups the cache-only
/// ones by branch (<see cref="BranchCache"/>), dates each branch (<see cref="BranchActivity"/>) and
/// deletes the stale branches' manifests by digest. Never deleted: this run's tag and the fallback
/// tags (with their cache), final images (tags without <c>--</c>), and any manifest a kept tag also
/// points to — a registry deletes a manifest with every tag on it, so a stale <c>feature--builder</c>
/// that is byte-for-byte <c>main--builder</c> stays.
/// </summary>
internal sealed class RegistryRetention(RegistryClient registry, ILogger logger)
{
    /// <summary>HEADs and GETs in flight at once while the repository's tags are read.</summary>
    private const int Parallelism = 8;

    public async Task<(List<PruneItem> Items, List<KeptItem> Kept)> PlanAsync(CacheFromSettings settings, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var repository = RegistryRepository.Of(settings.Image);
        var credentials = settings.Credentials;
        var tags = await registry.Tags.ListAsync(repository, credentials, cancellationToken).ConfigureAwait(false);
        var protectedBranches = new HashSet<string>([settings.Image.Tag, .. settings.CacheFallback], StringComparer.Ordinal);
        var finals = tags.Where(t => !BranchCache.IsCacheOnly(t)).ToList();
        var groups = BranchCache.Group(tags, finals.Concat(protectedBranches));
        logger.Information("{Repository:l}: {Tags} tags, {Finals} final images (never pruned), {Branches} branches with cache-only tags",
            repository.ToString(), tags.Count, finals.Count, groups.Count);

        var items = new List<PruneItem>();
        var kept = new List<KeptItem>();
        var activity = new BranchActivity(registry, logger);
        var stale = new List<(BranchCache Branch, DateTimeOffset LastWritten)>();
        foreach (var branch in groups)
        {
            if (protectedBranches.Contains(branch.Branch))
            {
                var why = branch.Branch == settings.Image.Tag ? "this run's tag" : "a docker-cache-fallback tag";
                kept.AddRange(branch.Tags.Select(t => Kept(repository, t, why)));
                continue;
            }

            var lastWritten = await activity.LastWrittenAsync(repository, branch, cutoff, credentials, cancellationToken).ConfigureAwait(false);
            if (lastWritten is not { } written)
            {
                logger.Warning("{Branch:l}: nothing says when its cache was last written (no readable history, no image creation time); kept", branch.Branch);
                kept.AddRange(branch.Tags.Select(t => Kept(repository, t, "undated: no readable history or image creation time")));
            }
            else if (written >= cutoff)
            {
                kept.AddRange(branch.Tags.Select(t => Kept(repository, t, $"last written {written:yyyy-MM-dd HH:mm} UTC, within docker-cache-ttl")));
            }
            else
            {
                stale.Add((branch, written));
            }
        }

        if (stale.Count == 0)
            return (items, kept);

        // Every tag's digest: a stale tag whose manifest a kept tag shares must stay.
        var digests = await DigestsAsync(repository, tags, credentials, cancellationToken).ConfigureAwait(false);
        var going = stale.SelectMany(s => s.Branch.Tags).ToHashSet(StringComparer.Ordinal);
        var keptByDigest = digests.Where(d => !going.Contains(d.Key) && d.Value is not null)
            .GroupBy(d => d.Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(d => d.Key).Order(StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (branch, written) in stale)
        {
            foreach (var tag in branch.Tags)
            {
                if (digests.GetValueOrDefault(tag) is not { } digest)
                    continue;
                if (keptByDigest.TryGetValue(digest, out var sharer))
                {
                    logger.Information("Keeps {Reference:l}: its manifest {Digest:l} is also {Kept:l}'s, and a delete would remove both", repository.Reference(tag), digest, sharer);
                    kept.Add(Kept(repository, tag, $"its manifest is also {sharer}'s"));
                    continue;
                }

                if (!sizes.TryGetValue(digest, out var bytes))
                    sizes[digest] = bytes = await SizeAsync(repository, digest, credentials, cancellationToken).ConfigureAwait(false);
                items.Add(new PruneItem(PruneItemKind.RegistryTag, repository.Reference(tag), bytes, written, digest));
            }
        }

        return (items, kept);
    }

    /// <summary>Deletes each item's manifest once (tags that share one go together). A registry without deletes ends it with one message.</summary>
    public async Task DeleteAsync(CacheFromSettings settings, IReadOnlyList<PruneItem> items, CancellationToken cancellationToken)
    {
        var repository = RegistryRepository.Of(settings.Image);
        foreach (var manifest in items.Where(i => i.Kind == PruneItemKind.RegistryTag).GroupBy(i => i.Digest!, StringComparer.Ordinal))
        {
            try
            {
                await registry.Manifests.DeleteAsync(repository, manifest.Key, settings.Credentials, cancellationToken).ConfigureAwait(false);
                foreach (var item in manifest)
                    item.Deleted = true;
                logger.Information("Deleted {Tags:l} ({Digest:l})", string.Join(", ", manifest.Select(i => i.Name)), manifest.Key);
            }
            catch (RegistryRequestException exception) when (exception.DeletesDisabled)
            {
                throw new RegistryDeletesDisabledException(repository.Registry, exception);
            }
            catch (RegistryException exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.Warning("Could not delete {Tags:l} ({Digest:l}): {Reason}", string.Join(", ", manifest.Select(i => i.Name)), manifest.Key, exception.Message);
            }
        }
    }

    private async Task<Dictionary<string, string?>> DigestsAsync(RegistryRepository repository, IReadOnlyList<string> tags, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var digests = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (tag, token) =>
            digests[tag] = (await registry.Manifests.HeadAsync(repository, tag, credentials, token).ConfigureAwait(false))?.Digest).ConfigureAwait(false);
        return new Dictionary<string, string?>(digests, StringComparer.Ordinal);
    }

    /// <summary>The manifest's own bytes, its config's and its layers'; an index's entries added up (attestations included).</summary>
    private async Task<long> SizeAsync(RegistryRepository repository, string digest, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var manifest = await registry.Manifests.GetAsync(repository, digest, credentials, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
            return 0;
        var size = manifest.Size + (manifest.Config?.Size ?? 0) + manifest.Layers.Sum(l => l.Size);
        foreach (var entry in manifest.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)))
        {
            var child = await registry.Manifests.GetAsync(repository, entry.Digest, credentials, cancellationToken).ConfigureAwait(false);
            size += child is null ? 0 : child.Size + (child.Config?.Size ?? 0) + child.Layers.Sum(l => l.Size);
        }

        return size;
    }

    private static KeptItem Kept(RegistryRepository repository, string tag, string reason) =>
        new(PruneItemKind.RegistryTag, repository.Reference(tag), reason);
}
