using System.Formats.Tar;

namespace CacheFrom.Tests.Support;

/// <summary>Reads a <c>docker save</c> archive to its end: a torn or truncated file fails, a complete one lists its repo tags.</summary>
internal static class TarballCheck
{
    /// <summary>Null when complete (it reads to the end and holds manifest.json), else what is wrong.</summary>
    public static string? Problem(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new TarReader(stream);
            var manifest = false;
            while (reader.GetNextEntry() is { } entry)
            {
                manifest |= entry.Name == "manifest.json";
                entry.DataStream?.CopyTo(Stream.Null);
            }

            return manifest ? null : "no manifest.json";
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException or FormatException)
        {
            return exception.Message;
        }
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
