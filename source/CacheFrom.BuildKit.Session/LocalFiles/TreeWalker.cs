using System.Text;
using CacheFrom.BuildKit.Session.Protocol.FileSync;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// Walks a local directory as fsutil's sender does: depth first, names in <see cref="WalkOrder"/>,
/// symlinks not followed, each directory before its contents. A directory that is not sent itself
/// but holds something that is (a re-included file, a followed path) is sent right before it, as
/// the receiver needs every parent. Owners are sent as 0:0, as the docker CLI does, so the cache
/// keys do not depend on who checked out the files.
/// </summary>
internal static class TreeWalker
{
    public static IEnumerable<WalkEntry> Walk(string root, SyncFilter filter, CancellationToken cancellationToken = default) =>
        Walk(new DirectoryInfo(root), "", filter, [], cancellationToken);

    /// <summary>The STAT fsutil sends for an entry (path relative, with '/').</summary>
    public static Stat StatOf(FileSystemInfo entry, string path)
    {
        var symlink = entry.LinkTarget is not null;
        var directory = !symlink && (entry.Attributes & FileAttributes.Directory) != 0;
        var stat = new Stat
        {
            Path = path,
            Mode = GoFileMode.From(entry.UnixFileMode, directory, symlink),
            ModTime = (entry.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100,
        };
        if (symlink)
        {
            stat.Linkname = entry.LinkTarget!;
            stat.Size = Encoding.UTF8.GetByteCount(stat.Linkname);
        }
        else if (!directory)
        {
            var (type, major, minor, _) = SpecialFiles.Probe(entry.FullName);
            stat.Mode |= type;
            stat.Devmajor = major;
            stat.Devminor = minor;
            stat.Size = type == 0 ? ((FileInfo)entry).Length : 0;
        }

        return stat;
    }

    private static IEnumerable<WalkEntry> Walk(DirectoryInfo directory, string relative, SyncFilter filter, List<WalkEntry> pending, CancellationToken cancellationToken)
    {
        var entries = directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, WalkOrder.Instance).ToList();
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            var isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
            var sends = filter.Sends(path);
            if (!sends && !(isDirectory && filter.MaySendUnder(path)))
                continue;

            var stat = StatOf(entry, path);
            if ((stat.Mode & GoFileMode.Socket) != 0)
                continue; // as fsutil's tar-based cousins: a socket has nothing to send
            var item = new WalkEntry(stat, entry.FullName);
            if (sends)
            {
                foreach (var parent in pending)
                    yield return parent;
                pending.Clear();
                yield return item;
            }

            if (!isDirectory)
                continue;

            var mark = pending.Count;
            if (!sends)
                pending.Add(item);
            foreach (var below in Walk((DirectoryInfo)entry, path, filter, pending, cancellationToken))
                yield return below;
            if (pending.Count > mark)
                pending.RemoveRange(mark, pending.Count - mark);
        }
    }
}
