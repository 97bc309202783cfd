using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CacheFrom.Tarballs;

/// <summary>
/// Reads a <c>docker save</c> archive to its end, locally, before the engine sees it: a tar that
/// ends early, is not a tar, lacks a <c>manifest.json</c> naming a config and layers it holds, or
/// holds a content-addressed file (<c>blobs/sha256/HEX</c>, a legacy <c>HEX.json</c> config) whose
/// bytes do not hash to its name, is corrupt. That is the only evidence that sets a tarball aside.
/// </summary>
internal static partial class TarballVerifier
{
    private const string Manifest = "manifest.json";

    public static async Task VerifyAsync(Stream archive, string path, CancellationToken cancellationToken = default)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        byte[]? manifest = null;
        try
        {
            await using var reader = new TarReader(archive, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var name = Normalize(entry.Name);
                names.Add(name);
                if (entry.DataStream is null)
                    continue;
                if (name == Manifest)
                {
                    using var buffer = new MemoryStream();
                    await ReadExactlyAsync(entry.DataStream, (bytes, count) => buffer.Write(bytes, 0, count), entry.Length, name, cancellationToken).ConfigureAwait(false);
                    manifest = buffer.ToArray();
                }
                else if (ContentDigest(name) is { } digest)
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    await ReadExactlyAsync(entry.DataStream, (bytes, count) => hash.AppendData(bytes, 0, count), entry.Length, name, cancellationToken).ConfigureAwait(false);
                    if (!Convert.ToHexStringLower(hash.GetHashAndReset()).Equals(digest, StringComparison.Ordinal))
                        throw Corrupt(path, $"{name} does not match its digest");
                }
                else
                {
                    await ReadExactlyAsync(entry.DataStream, null, entry.Length, name, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (exception is EndOfStreamException or InvalidDataException or FormatException)
        {
            throw Corrupt(path, $"not a complete tar archive: {exception.Message.TrimEnd('.')}", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw StoreFailure.Reading(path, exception);
        }

        if (manifest is null)
            throw Corrupt(path, names.Count == 0 ? "not a tar archive" : "it has no manifest.json");
        CheckManifest(manifest, names, path);
    }

    private static void CheckManifest(byte[] manifest, HashSet<string> names, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
                throw Corrupt(path, "its manifest.json lists no image");
            foreach (var image in document.RootElement.EnumerateArray())
            {
                if (image.ValueKind != JsonValueKind.Object
                    || !image.TryGetProperty("Config", out var config) || config.ValueKind != JsonValueKind.String
                    || !image.TryGetProperty("Layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
                {
                    throw Corrupt(path, "its manifest.json has an entry without Config and Layers");
                }

                foreach (var file in layers.EnumerateArray().Prepend(config))
                {
                    var name = file.ValueKind == JsonValueKind.String ? Normalize(file.GetString()!) : "";
                    if (!names.Contains(name))
                        throw Corrupt(path, $"its manifest.json names {(name.Length == 0 ? "an invalid file" : name)}, which the archive does not hold");
                }
            }
        }
        catch (JsonException exception)
        {
            throw Corrupt(path, "its manifest.json is not valid JSON", exception);
        }
    }

    /// <summary>Reads an entry's data to its end, handing each chunk to <paramref name="append"/>; fewer bytes than the header promised is a cut-off archive.</summary>
    private static async Task ReadExactlyAsync(Stream data, Action<byte[], int>? append, long length, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Clamp(length, 1, 1 << 20)];
        long total = 0;
        int read;
        while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            append?.Invoke(buffer, read);
        }

        if (total != length)
            throw new EndOfStreamException($"{name} ends after {total} of its {length} bytes");
    }

    private static string? ContentDigest(string name)
    {
        var match = ContentAddressed().Match(name);
        return match.Success ? match.Groups["hex"].Value : null;
    }

    private static string Normalize(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;

    private static CorruptTarballException Corrupt(string path, string reason, Exception? inner = null) =>
        new($"The cache tarball {path} is not a complete image archive ({reason}); it was cut short or damaged on its way into the store.", inner);

    [GeneratedRegex("^(?:blobs/sha256/(?<hex>[0-9a-f]{64})|(?<hex>[0-9a-f]{64})\\.json)$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentAddressed();
}
