using System.Globalization;
using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.History;
using Serilog;

namespace CacheFrom.Retention;

/// <summary>
/// When a branch's cache was last written, as the registry records it: the history artifact's
/// creation time and the newest time its entries were built or used (<see cref="Recording.CacheHistoryEntry.UsedAt"/>),
/// else, for a branch without a readable history (an older version's push, a failed history write),
/// the newest <c>created</c> of its stage images' configs. Null when nothing says (then it is kept).
/// A run that built nothing pushes no new history, so its use is not recorded here (docs/retention.md).
/// </summary>
internal sealed class BranchActivity(RegistryClient registry, ILogger logger)
{
    private const string CreatedAnnotation = "org.opencontainers.image.created";

    /// <summary>The newest evidence of <paramref name="branch"/>'s cache; images are read only when the history says nothing newer than <paramref name="cutoff"/>.</summary>
    public async Task<DateTimeOffset?> LastWrittenAsync(RegistryRepository repository, BranchCache branch, DateTimeOffset cutoff,
        RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var latest = branch.HistoryTag is { } historyTag
            ? await FromHistoryAsync(repository, historyTag, credentials, cancellationToken).ConfigureAwait(false)
            : null;
        if (latest >= cutoff)
            return latest;

        // A stage image newer than its history means the history's push failed: the images are the truth then.
        foreach (var tag in branch.StageTags)
        {
            var created = await FromImageAsync(repository, tag, credentials, cancellationToken).ConfigureAwait(false);
            if (created > latest || latest is null)
                latest = created ?? latest;
        }

        return latest;
    }

    private async Task<DateTimeOffset?> FromHistoryAsync(RegistryRepository repository, string tag, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        try
        {
            var manifest = await registry.Manifests.GetAsync(repository, tag, credentials, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
                return null;
            DateTimeOffset? latest = manifest.Annotations.TryGetValue(CreatedAnnotation, out var text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
                ? created
                : null;
            var history = CacheHistory.FromJson(await HistoryArtifact.ReadAsync(registry, repository, manifest, credentials, cancellationToken).ConfigureAwait(false));
            var times = history.Entries.SelectMany(e => new[] { e.UsedAt, e.ObservedAt }).Concat(history.Fingerprints.Select(f => f.RecordedAt));
            foreach (var time in times)
            {
                if (latest is null || time > latest)
                    latest = time;
            }

            return latest;
        }
        catch (Exception exception) when (exception is RegistryException or HttpRequestException or TimeoutException or JsonException or InvalidDataException or FormatException && !cancellationToken.IsCancellationRequested)
        {
            logger.Warning("Cache history {Reference:l} could not be read ({Reason}); its branch is dated by its stage images", ManifestOperations.Name(repository, tag), exception.Message);
            return null;
        }
    }

    private async Task<DateTimeOffset?> FromImageAsync(RegistryRepository repository, string tag, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        try
        {
            var config = await registry.ReadImageConfigAsync(repository, tag, credentials, cancellationToken: cancellationToken).ConfigureAwait(false);
            // SOURCE_DATE_EPOCH builds say 1970: no evidence of when the image was written.
            return config?.Created is { Year: > 1970 } created ? created : null;
        }
        catch (Exception exception) when (exception is RegistryException or HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            logger.Debug("The config of {Reference:l} could not be read ({Reason}); it does not date its branch", ManifestOperations.Name(repository, tag), exception.Message);
            return null;
        }
    }
}
