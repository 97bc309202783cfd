using System.Text;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// The order fsutil's receiver validates: names within a directory by their UTF-8 bytes (Go's
/// string order, which UTF-16 ordinal order is not for characters beyond the BMP), each directory
/// right before its contents.
/// </summary>
internal sealed class WalkOrder : IComparer<string>
{
    public static WalkOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}
