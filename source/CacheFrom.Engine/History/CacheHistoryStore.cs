using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Files;
using CacheFrom.References;
using Serilog;

namespace CacheFrom.History;

/// <summary>
/// Where <see cref="CacheHistory"/> travels with the cache, so a fresh runner has it:
/// tarball mode keeps <c>history.json</c> next to the tarballs; registry mode keeps a small OCI
/// artifact <c>REPO:TAG--cachefrom-history</c> (<see cref="HistoryArtifact"/>) in the image's
/// repository, so the same registry credentials and retention rules cover it. The registry is
/// spoken to directly (<see cref="RegistryClient"/>): nothing is pulled, saved or built.
/// History is a nice-to-have: reading or writing it never fails a build, a failure is a warning,
/// and each registry read or write is bounded (<see cref="Resilience.RetryOptions.StallTimeout"/>).
/// </summary>
internal sealed class CacheHistoryStore
{
    public const string FileName = "history.json";

    /// <summary>The stage-tag suffix of the history artifact; <see cref="StageTagScheme"/> keeps it apart from real tags.</summary>
    public const string HistoryStage = "cachefrom-history";

    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public CacheHistoryStore(ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary><c>REPO:TAG--cachefrom-history</c> for the tag <paramref name="tag"/> of <paramref name="image"/>'s repository.</summary>
    public static ImageReference HistoryReference(ImageReference image, string tag)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.WithTag(StageTagScheme.StageTag(tag, HistoryStage));
    }

    public static string TarballPath(CacheFromSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Path.Combine(settings.CacheDir, FileName);
    }

    /// <summary>
    /// The history that came with the cache: <c>history.json</c> from the cache directory (tarball
    /// modes) and the first history artifact found for this tag, then each fallback tag (registry
    /// modes, when <paramref name="registry"/> is given), combined. Empty when there is none or it
    /// cannot be read (then with a warning).
    /// </summary>
    public async Task<CacheHistory> ReadAsync(CacheFromSettings settings, RegistryClient? registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var history = CacheHistory.Empty;
        if (settings.UsesTarball)
            history = Combine(history, await ReadTarballAsync(settings, cancellationToken).ConfigureAwait(false));
        if (settings.UsesRegistry && registry is not null)
            history = Combine(history, await ReadRegistryAsync(settings, registry, cancellationToken).ConfigureAwait(false));

        if (history.Count == 0 && settings.Cache != CacheMode.None)
            _logger.Information("No cache history yet: the time the cache saves is unknown until a run has built the instructions it reuses");
        return history;
    }

    /// <summary>
    /// Stores <paramref name="history"/> (normally <c>read.Merge(record)</c>) with the cache:
    /// <c>history.json</c> in the cache directory (tarball modes) and the history artifact written
    /// next to this build's images (registry modes, when pushing and <paramref name="registry"/> is given).
    /// </summary>
    public async Task WriteAsync(CacheFromSettings settings, RegistryClient? registry, CacheHistory history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(history);
        await WriteTarballAsync(settings, history, cancellationToken).ConfigureAwait(false);
        if (registry is not null)
            await PushAsync(settings, registry, history, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tarball half of <see cref="WriteAsync"/> (for the SaveTarball step); does nothing unless the mode uses tarballs.</summary>
    public async Task WriteTarballAsync(CacheFromSettings settings, CacheHistory history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(history);
        if (!settings.UsesTarball)
            return;
        var path = TarballPath(settings);
        try
        {
            await AtomicFile.WriteAllTextAsync(path, history.ToJson(), cancellationToken).ConfigureAwait(false);
            _logger.Information("Cache history: {Count} instructions written to {Path}", history.Count, path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _logger.Warning("Cache history {Path} could not be written ({Reason}); the next run will not know what the cache saves", path, exception.Message);
        }
    }

    /// <summary>
    /// The registry half of <see cref="WriteAsync"/> (for the PushAll step); does nothing unless the
    /// mode uses the registry and pushes, and nothing when <paramref name="history"/> came from a
    /// merge that measured nothing (<see cref="CacheHistory.HasNewMeasurements"/>).
    /// </summary>
    public async Task PushAsync(CacheFromSettings settings, RegistryClient registry, CacheHistory history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(history);
        if (!settings.UsesRegistry || !settings.Push)
            return;
        if (!history.HasNewMeasurements)
        {
            // A run that only hit the cache learned nothing: the history it read stays valid, and a
            // no-change run leaves the registry's manifests as they were.
            _logger.Debug("Cache history unchanged (nothing was built); not pushed again");
            return;
        }

        var reference = HistoryReference(settings.Image, settings.Image.Tag);
        var bound = settings.Retry.StallTimeout;
        using var limit = new CancellationTokenSource(bound, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var started = _time.GetTimestamp();
        try
        {
            var written = await HistoryArtifact.WriteAsync(registry, RegistryRepository.Of(settings.Image), reference.Tag, history, _time.GetUtcNow(), settings.Credentials, linked.Token)
                .ConfigureAwait(false);
            _logger.Information("Cache history: {Count} instructions written as {Reference} ({Digest}) in {Milliseconds:0} ms",
                history.Count, reference.ToString(), written.Digest, _time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (IsRegistryFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            var reason = limit.IsCancellationRequested ? $"no answer within {bound.TotalSeconds:0} s" : exception.Message;
            _logger.Warning("Cache history {Reference} could not be pushed ({Reason}); the next run will not know what the cache saves", reference.ToString(), reason);
        }
    }

    private async Task<CacheHistory> ReadTarballAsync(CacheFromSettings settings, CancellationToken cancellationToken)
    {
        var path = TarballPath(settings);
        if (!File.Exists(path))
            return CacheHistory.Empty;
        try
        {
            var history = CacheHistory.FromJson(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            _logger.Information("Cache history: {Count} instructions known, from {Path}", history.Count, path);
            return history;
        }
        catch (Exception exception) when (IsReadFailure(exception))
        {
            _logger.Warning("Cache history {Path} could not be read ({Reason}); the time the cache saves is unknown this run", path, exception.Message);
            return CacheHistory.Empty;
        }
    }

    private async Task<CacheHistory> ReadRegistryAsync(CacheFromSettings settings, RegistryClient registry, CancellationToken cancellationToken)
    {
        var repository = RegistryRepository.Of(settings.Image);
        var bound = settings.Retry.StallTimeout;
        using var limit = new CancellationTokenSource(bound, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        foreach (var tag in (IEnumerable<string>)[settings.Image.Tag, .. settings.CacheFallback])
        {
            var reference = HistoryReference(settings.Image, tag);
            var started = _time.GetTimestamp();
            try
            {
                var manifest = await registry.Manifests.GetAsync(repository, reference.Tag, settings.Credentials, linked.Token).ConfigureAwait(false);
                if (manifest is null)
                    continue;
                var json = await HistoryArtifact.ReadAsync(registry, repository, manifest, settings.Credentials, linked.Token).ConfigureAwait(false);
                var history = CacheHistory.FromJson(json);
                _logger.Information("Cache history: {Count} instructions known, from {Reference} (read in {Milliseconds:0} ms)",
                    history.Count, reference.ToString(), _time.GetElapsedTime(started).TotalMilliseconds);
                return history;
            }
            catch (Exception exception) when (IsReadFailure(exception) && !cancellationToken.IsCancellationRequested)
            {
                // One warning, not one per fallback: a registry that fails for one tag usually fails for all.
                var reason = limit.IsCancellationRequested ? $"no answer within {bound.TotalSeconds:0} s" : exception.Message;
                _logger.Warning("Cache history {Reference} could not be read ({Reason}); the time the cache saves is unknown this run", reference.ToString(), reason);
                return CacheHistory.Empty;
            }
        }

        return CacheHistory.Empty;
    }

    /// <summary>Newest measurement wins when both the tarball and the registry know an instruction; fingerprint records of both are kept.</summary>
    private static CacheHistory Combine(CacheHistory first, CacheHistory second) =>
        first.Count == 0 && first.Fingerprints.Count == 0 && first.Transfers.Count == 0 ? second
        : second.Count == 0 && second.Fingerprints.Count == 0 && second.Transfers.Count == 0 ? first
        : new CacheHistory(
            first.Entries.Concat(second.Entries).GroupBy(e => e.Key).Select(g => g.MaxBy(e => e.ObservedAt)!),
            first.Fingerprints.Concat(second.Fingerprints).GroupBy(f => (f.Stage, f.Fingerprint)).Select(g => g.MaxBy(f => f.RecordedAt)!),
            first.Transfers.Concat(second.Transfers).DistinctBy(t => (t.Source, t.Fetch, t.Bytes, t.At)).OrderByDescending(t => t.At).Take(CacheHistory.MaxTransfers));

    private static bool IsReadFailure(Exception exception) =>
        IsRegistryFailure(exception) || exception is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or FormatException;

    private static bool IsRegistryFailure(Exception exception) =>
        exception is CacheFromException or HttpRequestException or TimeoutException or OperationCanceledException;
}
