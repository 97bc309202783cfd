using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>What an image's config blob says that the pipeline reads: its labels, platform and inline cache metadata.</summary>
/// <param name="ManifestDigest">The digest of the image manifest read (the platform's, when the tag is an index).</param>
internal sealed record ImageConfig(string ManifestDigest, string ConfigDigest, IReadOnlyDictionary<string, string> Labels, string? Os, string? Architecture)
{
    /// <summary>The config's <c>created</c> time (when the image was built), or null when it has none or it is not a time.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The BuildKit inline cache metadata the config carries, or null when it has none.</summary>
    public InlineCacheMetadata? InlineCache { get; init; }

    // Docker's config spells it with a capital, unlike the rest of the document.
    private const string LabelsProperty = "Labels";

    /// <summary>Reads a config blob (OCI image config or Docker's); throws <see cref="InvalidDataException"/> when it is not JSON.</summary>
    public static ImageConfig Parse(string manifestDigest, string configDigest, ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty(LabelsProperty, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in map.EnumerateObject())
                {
                    if (label.Value.ValueKind == JsonValueKind.String)
                        labels[label.Name] = label.Value.GetString()!;
                }
            }

            return root.ValueKind == JsonValueKind.Object
                ? new ImageConfig(manifestDigest, configDigest, labels, Descriptor.String(root, "os"), Descriptor.String(root, "architecture"))
                {
                    Created = DateTimeOffset.TryParse(Descriptor.String(root, "created"), System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AssumeUniversal, out var created) ? created : null,
                    InlineCache = InlineCacheMetadata.Read(root),
                }
                : throw new InvalidDataException("the image config is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException("the image config is not JSON", exception);
        }
    }
}
