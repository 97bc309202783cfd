namespace CacheFrom;

/// <summary>
/// Base of every error the engine raises on purpose. Its message is meant for the user: it
/// says what went wrong and what to do, and never holds a secret.
/// </summary>
public class CacheFromException : Exception
{
    public CacheFromException(string message)
        : base(message)
    {
    }

    public CacheFromException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
