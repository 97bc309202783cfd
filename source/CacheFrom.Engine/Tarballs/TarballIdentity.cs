using Microsoft.Win32.SafeHandles;

namespace CacheFrom.Tarballs;

/// <summary>
/// Which file a path held when it was opened: length and last write time. A concurrent writer's
/// rename puts a different file (with its own write time) under the same path, so comparing
/// identities tells "the file we read" from "the file there now".
/// </summary>
internal readonly record struct TarballIdentity(long Length, DateTime LastWriteUtc)
{
    public static TarballIdentity Of(SafeFileHandle handle) =>
        new(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));

    /// <summary>The identity of the file at <paramref name="path"/> now; null when there is none.</summary>
    public static TarballIdentity? At(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new TarballIdentity(info.Length, info.LastWriteTimeUtc) : null;
    }
}
