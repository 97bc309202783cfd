using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CacheFrom.Configuration;
using CacheFrom.Distribution;

namespace CacheFrom.History;

/// <summary>
/// The history's registry form: an OCI 1.1 artifact — an image manifest with
/// <c>artifactType</c> <see cref="MediaType"/>, the empty config (<c>{}</c>) and one layer, the
/// history JSON itself. Read with a manifest GET and a blob GET, written with two blob uploads
/// (the empty config is uploaded once per repository) and a manifest PUT; nothing is pulled or built.
/// Still reads the image earlier versions pushed (<c>FROM scratch</c> + <c>/history.json</c>).
/// </summary>
internal static class HistoryArtifact
{
    /// <summary>The artifact type and the layer's media type.</summary>
    public const string MediaType = "application/vnd.cachefrom.history.v1+json";

    /// <summary>A history of <see cref="CacheHistory.MaxEntries"/> entries is well under 1 MiB; this bounds a broken one.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    private const string TitleAnnotation = "org.opencontainers.image.title";

    private const string CreatedAnnotation = "org.opencontainers.image.created";

    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    /// <summary>Uploads the history and the empty config, then writes the manifest under <paramref name="tag"/>.</summary>
    public static async Task<Descriptor> WriteAsync(RegistryClient registry, RegistryRepository repository, string tag, CacheHistory history,
        DateTimeOffset created, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetBytes(history.ToJson());
        var config = registry.Blobs.UploadAsync(repository, EmptyConfig, MediaTypes.OciEmpty, credentials, cancellationToken);
        var layer = registry.Blobs.UploadAsync(repository, json, MediaType, credentials, cancellationToken);
        await Task.WhenAll(config, layer).ConfigureAwait(false);
        var manifest = RegistryManifest.CreateOci(
            await config.ConfigureAwait(false),
            [(await layer.ConfigureAwait(false)) with { Annotations = new Dictionary<string, string> { [TitleAnnotation] = CacheHistoryStore.FileName } }],
            MediaType,
            new Dictionary<string, string> { [CreatedAnnotation] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) });
        return await registry.Manifests.PutAsync(repository, tag, manifest, credentials, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The history JSON the manifest at <paramref name="manifest"/> holds; throws <see cref="InvalidDataException"/> when it holds none.</summary>
    public static async Task<string> ReadAsync(RegistryClient registry, RegistryRepository repository, RegistryManifest manifest,
        RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        if (manifest.IsIndex)
        {
            // Only an image pushed by an earlier version from the containerd image store is an index.
            var entry = manifest.ForPlatform(Platform.Default)
                ?? manifest.Manifests.FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType) && m.Platform is not { Os: "unknown" })
                ?? throw new InvalidDataException("the history index names no image manifest");
            manifest = await registry.Manifests.GetAsync(repository, entry.Digest, credentials, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"the history index names {entry.Digest}, which the registry does not have");
        }

        if (manifest.Layers.FirstOrDefault(l => l.MediaType == MediaType) is { } history)
        {
            var bytes = await registry.Blobs.ReadAsync(repository, history.Digest, MaxBytes, credentials, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(bytes);
        }

        if (manifest.Layers.LastOrDefault(l => l.MediaType is MediaTypes.DockerLayerGzip or MediaTypes.OciLayerGzip or MediaTypes.OciLayer) is { } layer)
        {
            var bytes = await registry.Blobs.ReadAsync(repository, layer.Digest, MaxBytes, credentials, cancellationToken).ConfigureAwait(false);
            return ReadLegacyLayer(bytes, gzip: layer.MediaType != MediaTypes.OciLayer)
                ?? throw new InvalidDataException($"the history image's layer holds no /{CacheHistoryStore.FileName}");
        }

        throw new InvalidDataException($"the manifest is neither a history artifact ({MediaType}) nor a history image");
    }

    private static string? ReadLegacyLayer(byte[] layer, bool gzip)
    {
        using var raw = new MemoryStream(layer, writable: false);
        using var decompressed = gzip ? new GZipStream(raw, CompressionMode.Decompress) : (Stream)raw;
        using var reader = new TarReader(decompressed);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is not null && entry.Name.TrimStart('.', '/') == CacheHistoryStore.FileName)
            {
                using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                return text.ReadToEnd();
            }
        }

        return null;
    }
}
