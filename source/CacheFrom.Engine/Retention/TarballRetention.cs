using CacheFrom.Configuration;
using CacheFrom.Tarballs;
using Serilog;

namespace CacheFrom.Retention;

/// <summary>
/// The tarball half of PruneCache, in the image's folder of the store (a shared store holds other
/// repositories' folders too; they are theirs to prune): tarballs (<c>TAG.tar</c>), tarballs set
/// aside as unloadable (<c>TAG.tar.corrupt-…</c>) and temp files a killed save left
/// (<c>….partial</c>) whose last write is older than the cutoff. This tag's and the fallbacks'
/// tarballs are kept whatever their age. SaveTarball rewrites a tag's tarball on every run, so its
/// write time is the branch's last run.
/// </summary>
internal sealed class TarballRetention(ILogger logger)
{
    private const string Extension = ".tar";

    public (List<PruneItem> Items, List<KeptItem> Kept) Plan(CacheFromSettings settings, DateTimeOffset cutoff)
    {
        var folder = Folder(settings);
        var items = new List<PruneItem>();
        var kept = new List<KeptItem>();
        if (!Directory.Exists(folder))
        {
            logger.Information("Tarball store {Folder:l}: no tarballs of this image", folder);
            return (items, kept);
        }

        var protectedFiles = new HashSet<string>([settings.Image.Tag + Extension, .. settings.CacheFallback.Select(t => t + Extension)], StringComparer.Ordinal);
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (!IsCacheFile(file.Name))
                continue;
            if (protectedFiles.Contains(file.Name))
            {
                kept.Add(new KeptItem(PruneItemKind.Tarball, file.FullName, file.Name[..^Extension.Length] == settings.Image.Tag ? "this run's tag" : "a docker-cache-fallback tag"));
                continue;
            }

            var written = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            if (written >= cutoff)
                kept.Add(new KeptItem(PruneItemKind.Tarball, file.FullName, $"written {written:yyyy-MM-dd HH:mm} UTC, within docker-cache-ttl"));
            else
                items.Add(new PruneItem(PruneItemKind.Tarball, file.FullName, file.Length, written));
        }

        return (items, kept);
    }

    public void Delete(IEnumerable<PruneItem> items)
    {
        foreach (var item in items.Where(i => i.Kind == PruneItemKind.Tarball))
        {
            try
            {
                File.Delete(item.Name);
                item.Deleted = true;
                logger.Information("Deleted {Path:l}", item.Name);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                logger.Warning("Could not delete {Path:l}: {Reason}", item.Name, exception.Message);
            }
        }
    }

    /// <summary>The image's folder in the store, named as <see cref="TarballStore"/> names it.</summary>
    public static string Folder(CacheFromSettings settings) =>
        Path.Combine(settings.CacheDir, TarballStore.RepositoryFolder(settings.Image));

    private static bool IsCacheFile(string name) =>
        name.EndsWith(Extension, StringComparison.Ordinal)
        || name.Contains(Extension + ".corrupt-", StringComparison.Ordinal)
        || (name.Contains(Extension + ".", StringComparison.Ordinal) && name.EndsWith(".partial", StringComparison.Ordinal));
}
