namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// File modes as fsutil sends them: Go's <c>os.FileMode</c>, permission bits low and the file type
/// and special bits high (directory 1&lt;&lt;31, symlink 1&lt;&lt;27, setuid 1&lt;&lt;23 …), not POSIX <c>st_mode</c>.
/// </summary>
internal static class GoFileMode
{
    public const uint Directory = 1u << 31;
    public const uint Append = 1u << 30;
    public const uint Exclusive = 1u << 29;
    public const uint Temporary = 1u << 28;
    public const uint Symlink = 1u << 27;
    public const uint Device = 1u << 26;
    public const uint NamedPipe = 1u << 25;
    public const uint Socket = 1u << 24;
    public const uint SetUid = 1u << 23;
    public const uint SetGid = 1u << 22;
    public const uint CharDevice = 1u << 21;
    public const uint Sticky = 1u << 20;
    public const uint Irregular = 1u << 19;

    /// <summary>Go's <c>os.ModeType</c>: any of these makes an entry something other than a regular file.</summary>
    public const uint TypeMask = Directory | Symlink | NamedPipe | Socket | Device | CharDevice | Irregular;

    public const uint Permissions = 0x1FF;

    /// <summary>Go's mode for a directory, symlink or regular file with these Unix permission and special bits.</summary>
    public static uint From(UnixFileMode unix, bool directory, bool symlink)
    {
        // Linux symlinks are always 0777 with no special bits, as Go's Lstat reports them
        // (.NET's mode of a symlink is its target's).
        if (symlink)
            return Symlink | Permissions;
        var mode = (uint)unix & Permissions;
        if ((unix & UnixFileMode.SetUser) != 0)
            mode |= SetUid;
        if ((unix & UnixFileMode.SetGroup) != 0)
            mode |= SetGid;
        if ((unix & UnixFileMode.StickyBit) != 0)
            mode |= Sticky;
        return directory ? mode | Directory : mode;
    }

    /// <summary>fsutil's <c>fileCanRequestData</c>: only regular files have contents to ask for; sender and receiver must agree.</summary>
    public static bool HasData(uint mode) => (mode & TypeMask) == 0;
}
