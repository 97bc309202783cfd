namespace CacheFrom.Tarballs;

/// <summary>Words a local I/O failure of the store: full and read-only say what to do about them.</summary>
internal static class StoreFailure
{
    // errno on Linux and macOS (.NET puts it in HResult), and the Windows error codes.
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int MacQuotaExceeded = 69;
    private const int ReadOnlyFileSystem = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsWriteProtect = unchecked((int)0x80070013);

    public static TarballStoreException Writing(string directory, string file, Exception exception)
    {
        var reason = exception.Message;
        if (IsFull(exception))
        {
            return new TarballStoreException(
                $"The tarball store {directory} is full ({reason}) while writing {file}; the previous tarball is kept. "
                + "Free space there or point docker-cache-dir at a larger directory.",
                exception);
        }

        if (IsReadOnly(exception))
        {
            return new TarballStoreException(
                $"The tarball store {directory} is read-only ({reason}); {file} was not written and the previous tarball is kept. "
                + "Point docker-cache-dir at a writable directory, or use docker-cache=registry.",
                exception);
        }

        if (exception is UnauthorizedAccessException)
        {
            return new TarballStoreException(
                $"The tarball store {directory} is not writable for this user ({reason}); {file} was not written and the previous tarball is kept. "
                + "Give the build user write access there or point docker-cache-dir elsewhere.",
                exception);
        }

        return new TarballStoreException(
            $"The tarball store {directory} could not be written ({reason}); {file} was not written and the previous tarball is kept.",
            exception);
    }

    public static TarballStoreException Reading(string file, Exception exception) =>
        new($"The cache tarball {file} could not be read ({exception.Message}); it is left in place.", exception);

    private static bool IsFull(Exception exception) =>
        exception.HResult is NoSpace or QuotaExceeded or MacQuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull
        || exception.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("quota exceeded", StringComparison.OrdinalIgnoreCase);

    private static bool IsReadOnly(Exception exception) =>
        exception.HResult is ReadOnlyFileSystem or WindowsWriteProtect
        || exception.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase);
}
