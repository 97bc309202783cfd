namespace CacheFrom;

/// <summary>
/// A cache tarball that failed a local read: not a tar, cut short, or without a sound
/// <c>manifest.json</c>. Only this sets a tarball aside; the engine refusing a load does not.
/// </summary>
public sealed class CorruptTarballException : CacheFromException
{
    public CorruptTarballException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
