using CacheFrom.BuildKit.Session.Protocol.FileSync;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>One path a DiffCopy sends: its STAT, and where its contents are read from.</summary>
internal sealed record WalkEntry(Stat Stat, string FullPath)
{
    public bool HasData => GoFileMode.HasData(Stat.Mode);
}
