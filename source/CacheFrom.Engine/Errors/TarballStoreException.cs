namespace CacheFrom;

/// <summary>
/// The tarball store itself failed: it is full, read-only, or a file in it could not be read. A
/// local problem of the directory, not of the engine and not of the tarball's content.
/// </summary>
public sealed class TarballStoreException : CacheFromException
{
    public TarballStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
