using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>
/// The layers a BuildKit image's inline cache metadata (<c>moby.buildkit.cache.v0</c> in its config)
/// names, against the image's history. A later build reuses a step of the image only when the
/// metadata names the step's layer, or as part of a later step it reuses. Docker's classic image
/// store writes the metadata incompletely: it leaves out the layers a build took from a cache, and
/// now and then one it built (seen on 20.10 and 26.1), so such a step runs again with every input unchanged
/// when the step after it changed.
/// </summary>
internal sealed class InlineCacheMetadata
{
    public const string ConfigProperty = "moby.buildkit.cache.v0";

    // One per history entry, in order: the instruction BuildKit wrote it for and its layer's index
    // (null: an entry without a layer, such as ARG or ENV).
    private readonly IReadOnlyList<(string CreatedBy, int? Layer)> history;
    private readonly IReadOnlySet<int> named;

    private InlineCacheMetadata(IReadOnlyList<(string CreatedBy, int? Layer)> history, IReadOnlySet<int> named)
    {
        this.history = history;
        this.named = named;
    }

    /// <summary>The metadata of an image config, or null when it carries none or it can't be read (a malformed one tells nothing).</summary>
    public static InlineCacheMetadata? Read(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object
            || !config.TryGetProperty(ConfigProperty, out var encoded) || encoded.ValueKind != JsonValueKind.String
            || !config.TryGetProperty("history", out var entries) || entries.ValueKind != JsonValueKind.Array)
            return null;
        try
        {
            var named = new HashSet<int>();
            using var records = JsonDocument.Parse(Convert.FromBase64String(encoded.GetString()!));
            foreach (var record in records.RootElement.EnumerateArray())
            {
                if (record.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
                    named.UnionWith(layers.EnumerateArray().Select(l => l.GetProperty("layer").GetInt32()));
            }

            var history = new List<(string, int?)>();
            var layer = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                var empty = entry.TryGetProperty("empty_layer", out var flag) && flag.ValueKind == JsonValueKind.True;
                history.Add((Descriptor.String(entry, "created_by") ?? "", empty ? null : layer++));
            }

            var layerCount = config.TryGetProperty("rootfs", out var rootfs) && rootfs.TryGetProperty("diff_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.GetArrayLength()
                : -1;
            return layer == layerCount ? new InlineCacheMetadata(history, named) : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Which instructions of a stage (given by keyword, after its <c>FROM</c>) made a layer the
    /// metadata leaves out, as positions in the stage (<c>FROM</c> = 0). BuildKit writes one history
    /// entry per instruction, so the stage's instructions are the history's last entries; null when
    /// they don't line up (another builder made the image, or the Dockerfile is not the one it was built from).
    /// </summary>
    public IReadOnlyList<int>? LeftOut(IReadOnlyList<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        var first = history.Count - keywords.Count;
        if (first < 0)
            return null;
        var leftOut = new List<int>();
        for (var i = 0; i < keywords.Count; i++)
        {
            var (createdBy, layer) = history[first + i];
            if (!createdBy.StartsWith(keywords[i] + " ", StringComparison.OrdinalIgnoreCase))
                return null;
            if (layer is { } index && !named.Contains(index))
                leftOut.Add(i + 1);
        }

        return leftOut;
    }
}
