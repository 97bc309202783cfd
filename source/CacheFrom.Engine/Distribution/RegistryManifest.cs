using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>
/// A manifest as the registry stores it: the exact bytes (a retag puts them back unchanged, so
/// the digest stays the same), its media type, its digest, and a read-only view of what it
/// references — config and layers for an image manifest, the entries of an index or manifest list.
/// </summary>
internal sealed class RegistryManifest
{
    private RegistryManifest(byte[] content, string mediaType, string digest, Descriptor? config, IReadOnlyList<Descriptor> layers,
        IReadOnlyList<Descriptor> manifests, string? artifactType, IReadOnlyDictionary<string, string> annotations)
    {
        Content = content;
        MediaType = mediaType;
        Digest = digest;
        Config = config;
        Layers = layers;
        Manifests = manifests;
        ArtifactType = artifactType;
        Annotations = annotations;
    }

    public byte[] Content { get; }

    public string MediaType { get; }

    public string Digest { get; }

    public long Size => Content.Length;

    /// <summary>An image manifest's config; null for an index.</summary>
    public Descriptor? Config { get; }

    public IReadOnlyList<Descriptor> Layers { get; }

    /// <summary>An index's (or manifest list's) entries; empty for an image manifest.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; }

    /// <summary>OCI 1.1 <c>artifactType</c>, else the config's media type for an artifact that has no field of its own.</summary>
    public string? ArtifactType { get; }

    public IReadOnlyDictionary<string, string> Annotations { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public Descriptor Descriptor => new(MediaType, Digest, Size);

    /// <summary>
    /// Reads a manifest the registry sent. <paramref name="contentType"/> is the response's
    /// Content-Type; a generic one (or none) falls back to the body's own <c>mediaType</c>.
    /// Throws <see cref="InvalidDataException"/> for a body that is not a manifest this client reads.
    /// </summary>
    public static RegistryManifest Parse(byte[] content, string? contentType, string digest)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("the manifest is not a JSON object");
            var bodyType = Descriptor.String(root, "mediaType");
            var mediaType = contentType is not null && (MediaTypes.IsIndex(contentType) || MediaTypes.IsManifest(contentType))
                ? contentType
                : bodyType ?? (root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest);
            if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
                throw new InvalidDataException($"the manifest's media type {mediaType} is not one this client reads");

            var config = root.TryGetProperty("config", out var c) ? Descriptor.Read(c) : null;
            if (MediaTypes.IsManifest(mediaType) && config is null)
                throw new InvalidDataException("the image manifest has no config");
            var layers = List(root, "layers");
            var manifests = List(root, "manifests");
            var artifactType = Descriptor.String(root, "artifactType")
                ?? (config is { MediaType: not (MediaTypes.OciConfig or MediaTypes.DockerConfig or MediaTypes.OciEmpty) } ? config.MediaType : null);
            return new RegistryManifest(content, mediaType, digest, config, layers, manifests, artifactType, Descriptor.ReadAnnotations(root));
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"the manifest is not valid JSON: {exception.Message}", exception);
        }
    }

    /// <summary>An OCI image manifest (an artifact when <paramref name="artifactType"/> is given), serialised once: its bytes are what is pushed.</summary>
    public static RegistryManifest CreateOci(Descriptor config, IReadOnlyList<Descriptor> layers, string? artifactType = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(layers);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", MediaTypes.OciManifest);
            if (artifactType is not null)
                writer.WriteString("artifactType", artifactType);
            writer.WritePropertyName("config");
            config.Write(writer);
            writer.WriteStartArray("layers");
            foreach (var layer in layers)
                layer.Write(writer);
            writer.WriteEndArray();
            Descriptor.WriteAnnotations(writer, annotations ?? new Dictionary<string, string>());
            writer.WriteEndObject();
        }

        var content = buffer.ToArray();
        return Parse(content, MediaTypes.OciManifest, ContentDigest.Sha256(content));
    }

    /// <summary>The index entry for <paramref name="platform"/>, skipping attestations (platform <c>unknown/unknown</c>); null when none matches.</summary>
    public Descriptor? ForPlatform(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var images = Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) && m.Platform is not { Os: "unknown" }).ToList();
        return images.FirstOrDefault(m => m.Platform is not null && platform.Matches(m.Platform))
            ?? (images.Count == 1 && images[0].Platform is null ? images[0] : null);
    }

    private static List<Descriptor> List(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(Descriptor.Read).ToList()
            : [];
}
