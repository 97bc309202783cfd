using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CacheFrom.Fingerprints;

/// <summary>
/// One <c>lstat</c>-like look at a path: its type, permission bits and size, symlinks not followed.
/// On Linux through <c>statx</c> (one call, the same layout on every architecture), which also
/// tells FIFOs, devices and sockets from regular files — .NET cannot, and opening a FIFO to hash it
/// would block. Elsewhere from <see cref="FileSystemInfo"/>, where such entries count as files.
/// </summary>
internal readonly record struct FileStatus(ContextEntryKind Kind, int Mode, long Size)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeModeSize = 0x1 | 0x2 | 0x200;
    private const int StatxBufferSize = 256;
    private const int ModeOffset = 28;
    private const int SizeOffset = 40;

    /// <summary>Permission bits, setuid/setgid/sticky included (what COPY keeps).</summary>
    public const int PermissionMask = 0xFFF;

    /// <summary>The entry's status; null when it vanished or cannot be looked at.</summary>
    public static FileStatus? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[StatxBufferSize];
            try
            {
                var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
                if (NativeMethods.Statx(AtFdCwd, name, AtSymlinkNoFollow, StatxTypeModeSize, ref MemoryMarshal.GetReference(buffer)) == 0)
                {
                    var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer[ModeOffset..]);
                    var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer[SizeOffset..]);
                    var kind = (mode & 0xF000) switch
                    {
                        0x8000 => ContextEntryKind.File,
                        0x4000 => ContextEntryKind.Directory,
                        0xA000 => ContextEntryKind.Symlink,
                        _ => ContextEntryKind.Special,
                    };
                    return new FileStatus(kind, mode & PermissionMask, kind == ContextEntryKind.File ? size : 0);
                }

                return null;
            }
            catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
            {
                // A libc without statx (very old, or not glibc): what .NET sees is the next best.
            }
        }

        return Managed(path);
    }

    private static FileStatus? Managed(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists)
                return null;
        }

        var mode = OperatingSystem.IsWindows() ? 0x1ED : (int)info.UnixFileMode;
        if (info.LinkTarget is not null)
            return new FileStatus(ContextEntryKind.Symlink, mode, 0);
        return info is DirectoryInfo
            ? new FileStatus(ContextEntryKind.Directory, mode, 0)
            : new FileStatus(ContextEntryKind.File, mode, ((FileInfo)info).Length);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int directory, byte[] path, int flags, uint mask, ref byte buffer);
    }
}
