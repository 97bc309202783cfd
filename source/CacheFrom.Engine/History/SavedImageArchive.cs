using System.Formats.Tar;
using System.Text.Json;

namespace CacheFrom.History;

/// <summary>
/// Reads one file out of a <c>docker save</c> archive: the archive's <c>manifest.json</c> names
/// the layer tars (legacy <c>ID/layer.tar</c> and OCI <c>blobs/sha256/…</c> layouts alike);
/// the newest layer holding the file wins, as in the image's filesystem.
/// </summary>
internal static class SavedImageArchive
{
    public static string? ReadFile(Stream archive, string path)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var wanted = path.TrimStart('/');
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(archive, leaveOpen: true))
        {
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (entry.DataStream is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    continue;
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                entries[entry.Name.TrimStart('.', '/')] = buffer.ToArray();
            }
        }

        var layers = LayerNames(entries);
        foreach (var layer in Enumerable.Reverse(layers))
        {
            if (entries.TryGetValue(layer.TrimStart('.', '/'), out var bytes) && FindInLayer(bytes, wanted) is { } text)
                return text;
        }

        return null;
    }

    private static List<string> LayerNames(Dictionary<string, byte[]> entries)
    {
        if (!entries.TryGetValue("manifest.json", out var manifest))
            throw new InvalidDataException("the saved image has no manifest.json");
        using var document = JsonDocument.Parse(manifest);
        var layers = new List<string>();
        foreach (var image in document.RootElement.EnumerateArray())
        {
            if (image.TryGetProperty("Layers", out var names))
                layers.AddRange(names.EnumerateArray().Select(n => n.GetString()).OfType<string>());
        }

        return layers;
    }

    private static string? FindInLayer(byte[] layer, string wanted)
    {
        using var stream = new MemoryStream(layer, writable: false);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is not null && entry.Name.TrimStart('.', '/') == wanted)
            {
                using var text = new StreamReader(entry.DataStream);
                return text.ReadToEnd();
            }
        }

        return null;
    }
}
