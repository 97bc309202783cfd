using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// What .NET cannot tell: whether an entry that is neither a directory nor a symlink is a regular
/// file, a FIFO, a device or a socket (Linux <c>statx</c>, whose layout is the same on every
/// architecture). A FIFO read as a file would block the transfer; fsutil sends FIFOs and devices
/// as such, and so does this. Elsewhere every such entry counts as a regular file.
/// </summary>
internal static class SpecialFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int ModeOffset = 28;
    private const int DeviceMajorOffset = 128;
    private const int DeviceMinorOffset = 132;

    private static readonly bool Available = OperatingSystem.IsLinux();

    /// <summary>Go's type bits for the entry (0 for a regular file), its device numbers, and whether it can be sent at all (sockets cannot).</summary>
    public static (uint TypeBits, long Major, long Minor, bool Sendable) Probe(string path)
    {
        if (!Available)
            return (0, 0, 0, true);
        var buffer = new byte[StatxSize];
        try
        {
            // The path as NUL-terminated UTF-8 bytes, as the kernel takes it.
            var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            if (NativeMethods.Statx(AtFdCwd, name, AtSymlinkNoFollow, StatxType, buffer) != 0)
                return (0, 0, 0, true); // vanished or unreadable: the open, later, says so
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            return (0, 0, 0, true);
        }

        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(DeviceMajorOffset));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(DeviceMinorOffset));
        return (mode & 0xF000) switch
        {
            0x1000 => (GoFileMode.NamedPipe, 0, 0, true),
            0x2000 => (GoFileMode.Device | GoFileMode.CharDevice, major, minor, true),
            0x6000 => (GoFileMode.Device, major, minor, true),
            0xC000 => (GoFileMode.Socket, 0, 0, false),
            _ => (0, 0, 0, true),
        };
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int directory, byte[] path, int flags, uint mask, byte[] buffer);
    }
}
