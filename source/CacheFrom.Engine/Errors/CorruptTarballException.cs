namespace CacheFrom;

/// <summary>A cache tarball the engine cannot load (truncated, not a tar, not an image archive).</summary>
public sealed class CorruptTarballException : CacheFromException
{
    public CorruptTarballException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
