using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>An OCI content descriptor: what a manifest says about a blob or another manifest.</summary>
internal sealed record Descriptor(string MediaType, string Digest, long Size)
{
    /// <summary>On an index entry: the platform that manifest is for.</summary>
    public Platform? Platform { get; init; }

    /// <summary>On an index entry (OCI 1.1): the artifact type of the manifest it points to.</summary>
    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads one descriptor; throws <see cref="InvalidDataException"/> when a required field is missing.</summary>
    public static Descriptor Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException("a descriptor is not a JSON object");
        var mediaType = String(element, "mediaType") ?? throw new InvalidDataException("a descriptor has no mediaType");
        var digest = String(element, "digest");
        if (!ContentDigest.IsValid(digest))
            throw new InvalidDataException($"a descriptor has no valid digest ({digest})");
        if (!element.TryGetProperty("size", out var size) || !size.TryGetInt64(out var bytes) || bytes < 0)
            throw new InvalidDataException($"the descriptor of {digest} has no valid size");
        return new Descriptor(mediaType, digest!, bytes)
        {
            Platform = element.TryGetProperty("platform", out var platform) && platform.ValueKind == JsonValueKind.Object
                ? new Platform(String(platform, "os") ?? "", String(platform, "architecture") ?? "", String(platform, "variant"))
                : null,
            ArtifactType = String(element, "artifactType"),
            Annotations = ReadAnnotations(element),
        };
    }

    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("mediaType", MediaType);
        writer.WriteString("digest", Digest);
        writer.WriteNumber("size", Size);
        if (ArtifactType is not null)
            writer.WriteString("artifactType", ArtifactType);
        WriteAnnotations(writer, Annotations);
        writer.WriteEndObject();
    }

    internal static IReadOnlyDictionary<string, string> ReadAnnotations(JsonElement element)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("annotations", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String)
                    annotations[entry.Name] = entry.Value.GetString()!;
            }
        }

        return annotations;
    }

    internal static void WriteAnnotations(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> annotations)
    {
        if (annotations.Count == 0)
            return;
        writer.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            writer.WriteString(key, value);
        writer.WriteEndObject();
    }

    internal static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
