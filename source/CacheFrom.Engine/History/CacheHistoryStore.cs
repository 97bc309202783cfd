using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Files;
using CacheFrom.References;
using Serilog;

namespace CacheFrom.History;

/// <summary>
/// Where <see cref="CacheHistory"/> travels with the cache, so a fresh runner has it:
/// tarball mode keeps <c>history.json</c> next to the tarballs; registry mode pushes a tiny image
/// <c>REPO:TAG--cachefrom-history</c> (<c>FROM scratch</c> + <c>/history.json</c>) built by the
/// engine itself, so the same registry credentials and retention rules cover it.
/// History is a nice-to-have: reading or writing it never fails a build, a failure is a warning.
/// </summary>
internal sealed class CacheHistoryStore
{
    public const string FileName = "history.json";

    /// <summary>The stage-tag suffix of the history image; <see cref="StageTagScheme"/> keeps it apart from real tags.</summary>
    public const string HistoryStage = "cachefrom-history";

    private const string HistoryLabel = "org.cachefrom.history";

    private readonly ILogger _logger;

    public CacheHistoryStore(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
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
    /// modes) and the first history image found for this tag, then each fallback tag (registry
    /// modes), combined. Empty when there is none or it cannot be read (then with a warning).
    /// </summary>
    public async Task<CacheHistory> ReadAsync(CacheFromSettings settings, DockerEngine? engine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var history = CacheHistory.Empty;
        if (settings.UsesTarball)
            history = Combine(history, await ReadTarballAsync(settings, cancellationToken).ConfigureAwait(false));
        if (settings.UsesRegistry && engine is not null)
            history = Combine(history, await ReadRegistryAsync(settings, engine, cancellationToken).ConfigureAwait(false));

        if (history.Count == 0 && settings.Cache != CacheMode.None)
            _logger.Information("No cache history yet: the time the cache saves is unknown until a run has built the instructions it reuses");
        return history;
    }

    /// <summary>
    /// Stores <paramref name="history"/> (normally <c>read.Merge(record)</c>) with the cache:
    /// <c>history.json</c> in the cache directory (tarball modes) and the history image pushed
    /// next to this build's images (registry modes, when pushing).
    /// </summary>
    public async Task WriteAsync(CacheFromSettings settings, DockerEngine? engine, CacheHistory history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(history);
        await WriteTarballAsync(settings, history, cancellationToken).ConfigureAwait(false);
        if (engine is not null)
            await PushAsync(settings, engine, history, cancellationToken).ConfigureAwait(false);
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
    public async Task PushAsync(CacheFromSettings settings, DockerEngine engine, CacheHistory history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(history);
        if (!settings.UsesRegistry || !settings.Push)
            return;
        if (!history.HasNewMeasurements)
        {
            // A run that only hit the cache learned nothing: the history it read stays valid; building
            // and pushing it again would cost a no-change run about 0.3 s for nothing.
            _logger.Debug("Cache history unchanged (nothing was built); not pushed again");
            return;
        }

        await PushHistoryImageAsync(settings, engine, history, cancellationToken).ConfigureAwait(false);
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

    private async Task<CacheHistory> ReadRegistryAsync(CacheFromSettings settings, DockerEngine engine, CancellationToken cancellationToken)
    {
        foreach (var tag in (IEnumerable<string>)[settings.Image.Tag, .. settings.CacheFallback])
        {
            var reference = HistoryReference(settings.Image, tag);
            try
            {
                if (await engine.InspectRemoteAsync(reference, settings.Credentials, cancellationToken).ConfigureAwait(false) is null)
                    continue;

                await engine.PullAsync(reference, settings.Credentials, cancellationToken).ConfigureAwait(false);
                using var archive = new MemoryStream();
                await engine.SaveAsync([reference.ToString()], archive, cancellationToken).ConfigureAwait(false);
                archive.Position = 0;
                var json = SavedImageArchive.ReadFile(archive, FileName)
                    ?? throw new InvalidDataException($"the image holds no /{FileName}");
                var history = CacheHistory.FromJson(json);
                _logger.Information("Cache history: {Count} instructions known, from {Reference}", history.Count, reference.ToString());
                return history;
            }
            catch (Exception exception) when (IsReadFailure(exception) && !cancellationToken.IsCancellationRequested)
            {
                // One warning, not one per fallback: a registry that fails for one tag usually fails for all.
                _logger.Warning("Cache history {Reference} could not be read ({Reason}); the time the cache saves is unknown this run",
                    reference.ToString(), exception.Message);
                return CacheHistory.Empty;
            }
        }

        return CacheHistory.Empty;
    }

    private async Task PushHistoryImageAsync(CacheFromSettings settings, DockerEngine engine, CacheHistory history, CancellationToken cancellationToken)
    {
        var reference = HistoryReference(settings.Image, settings.Image.Tag);
        var context = Path.Combine(Path.GetTempPath(), "cachefrom-history-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(context);
            var dockerfile = Path.Combine(context, "Dockerfile");
            await File.WriteAllTextAsync(dockerfile, $"FROM scratch\nCOPY {FileName} /{FileName}\n", cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(context, FileName), history.ToJson(), cancellationToken).ConfigureAwait(false);
            await engine.BuildAsync(
                new ImageBuildRequest
                {
                    ContextDirectory = context,
                    DockerfilePath = dockerfile,
                    Tags = [reference.ToString()],
                    Labels = new Dictionary<string, string> { [HistoryLabel] = "1" },
                    Builder = settings.Builder,
                    InlineCache = false,
                    DisplayName = "cache history",
                },
                cancellationToken).ConfigureAwait(false);
            await engine.PushAsync(reference, settings.Credentials, cancellationToken).ConfigureAwait(false);
            _logger.Information("Cache history: {Count} instructions pushed as {Reference}", history.Count, reference.ToString());
        }
        catch (Exception exception) when (IsWriteFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            _logger.Warning("Cache history {Reference} could not be pushed ({Reason}); the next run will not know what the cache saves",
                reference.ToString(), exception.Message);
        }
        finally
        {
            TryDelete(context);
        }
    }

    /// <summary>Newest measurement wins when both the tarball and the registry know an instruction.</summary>
    private static CacheHistory Combine(CacheHistory first, CacheHistory second) =>
        first.Count == 0 ? second
        : second.Count == 0 ? first
        : new CacheHistory(first.Entries.Concat(second.Entries).GroupBy(e => e.Key).Select(g => g.MaxBy(e => e.ObservedAt)!));

    private static bool IsReadFailure(Exception exception) =>
        exception is CacheFromException or IOException or UnauthorizedAccessException or JsonException or InvalidDataException
            or FormatException or HttpRequestException or TimeoutException or OperationCanceledException;

    private static bool IsWriteFailure(Exception exception) =>
        exception is CacheFromException or IOException or UnauthorizedAccessException or HttpRequestException
            or TimeoutException or OperationCanceledException;

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException exception)
        {
            _logger.Debug("Could not delete {Directory}: {Reason}", directory, exception.Message);
        }
    }
}
