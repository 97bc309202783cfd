using System.Net;
using CacheFrom.Configuration;
using CacheFrom.Resilience;
using Serilog;

namespace CacheFrom.Distribution;

/// <summary>
/// The one façade over the OCI distribution API, for what the engine API cannot do: read and
/// write manifests and blobs without a pull, list tags, delete, retag. Operations per resource
/// (<see cref="Manifests"/>, <see cref="Blobs"/>, <see cref="Tags"/>) and the compound ones here.
/// Every call takes the credentials for its registry (null: anonymous), is retried through the
/// engine's <see cref="RetryExecutor"/> and honours cancellation. Errors are
/// <see cref="RegistryException"/>s: <see cref="RegistryAuthenticationException"/> for refused
/// credentials or access, <see cref="RegistryRequestException"/> (status, error code) otherwise.
/// One client per run: it keeps connections, each registry's auth challenge and tokens per scope.
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    /// <summary>Image configs are small JSON documents; this bounds a broken or hostile one.</summary>
    public const int MaxConfigBytes = 8 * 1024 * 1024;

    private readonly RegistryTransport _transport;

    public RegistryClient(RetryOptions retry, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _transport = new RegistryTransport(handler ?? DefaultHandler(), retry, time, logger);
        Manifests = new ManifestOperations(_transport);
        Blobs = new BlobOperations(_transport);
        Tags = new TagOperations(_transport);
    }

    public ManifestOperations Manifests { get; }

    public BlobOperations Blobs { get; }

    public TagOperations Tags { get; }

    /// <summary>
    /// Publishes <paramref name="fromTag"/>'s manifest under <paramref name="toTag"/> in the same
    /// repository: the same bytes and media type, so the same digest; no layer moves (the registry
    /// already has every blob the manifest references). Nothing is written when <paramref name="toTag"/>
    /// already points there. Throws a <see cref="RegistryRequestException"/> (404) when <paramref name="fromTag"/> does not exist.
    /// </summary>
    public async Task<Descriptor> RetagAsync(RegistryRepository repository, string fromTag, string toTag, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(fromTag);
        ArgumentException.ThrowIfNullOrEmpty(toTag);
        var source = Manifests.GetAsync(repository, fromTag, credentials, cancellationToken);
        var target = Manifests.HeadAsync(repository, toTag, credentials, cancellationToken);
        await Task.WhenAll(source, target).ConfigureAwait(false);
        var manifest = await source.ConfigureAwait(false) ?? throw new RegistryRequestException(
            repository.Registry,
            $"The retag of {ManifestOperations.Name(repository, fromTag)} to {toTag} failed: {ManifestOperations.Name(repository, fromTag)} does not exist.",
            HttpStatusCode.NotFound, RegistryErrorCode.ManifestUnknown, isTransient: false);
        if ((await target.ConfigureAwait(false))?.Digest == manifest.Digest)
        {
            _transport.Logger.Information("{Target} already is {Source} ({Digest}); not written", ManifestOperations.Name(repository, toTag), ManifestOperations.Name(repository, fromTag), manifest.Digest);
            return manifest.Descriptor;
        }

        var written = await Manifests.PutAsync(repository, toTag, manifest, credentials, cancellationToken).ConfigureAwait(false);
        _transport.Logger.Information("Retagged {Source} as {Target} in the registry ({Digest}; no layer moved)", ManifestOperations.Name(repository, fromTag), ManifestOperations.Name(repository, toTag), written.Digest);
        return written;
    }

    /// <summary>
    /// The config (labels, platform) of the image <paramref name="reference"/> names; for an index,
    /// of its <paramref name="platform"/> entry (default: linux on this machine's architecture).
    /// Null when the tag does not exist. Throws <see cref="RegistryRequestException"/> when an index has no such platform.
    /// </summary>
    public async Task<ImageConfig?> ReadImageConfigAsync(RegistryRepository repository, string reference, RegistryCredentials? credentials,
        Platform? platform = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var manifest = await Manifests.GetAsync(repository, reference, credentials, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
            return null;
        if (manifest.IsIndex)
        {
            var wanted = platform ?? Platform.Default;
            var entry = manifest.ForPlatform(wanted) ?? throw new RegistryRequestException(
                repository.Registry,
                $"The image {ManifestOperations.Name(repository, reference)} has no manifest for {wanted} (it has: {string.Join(", ", manifest.Manifests.Select(m => m.Platform?.ToString() ?? "?"))}).",
                null, null, isTransient: false);
            manifest = await Manifests.GetAsync(repository, entry.Digest, credentials, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryRequestException(repository.Registry, $"The index {ManifestOperations.Name(repository, reference)} names {entry.Digest}, which the registry does not have.",
                    HttpStatusCode.NotFound, RegistryErrorCode.ManifestUnknown, isTransient: false);
        }

        var config = manifest.Config!;
        var json = await Blobs.ReadAsync(repository, config.Digest, MaxConfigBytes, credentials, cancellationToken).ConfigureAwait(false);
        try
        {
            return ImageConfig.Parse(manifest.Digest, config.Digest, json);
        }
        catch (InvalidDataException exception)
        {
            throw new RegistryRequestException(repository.Registry, $"The config of {ManifestOperations.Name(repository, reference)} cannot be read: {exception.Message}.", null, null, isTransient: false, exception);
        }
    }

    public void Dispose() => _transport.Dispose();

    private static SocketsHttpHandler DefaultHandler() => new()
    {
        // Bounded connection reuse: a long run still sees DNS changes (registries behind load balancers).
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = RetryDefaults.AttemptTimeout,
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = true,
    };
}
