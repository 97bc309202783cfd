namespace CacheFrom;

/// <summary>No Docker engine answered at the endpoint, or it went away mid-run.</summary>
public sealed class DockerEngineUnavailableException : CacheFromException
{
    public DockerEngineUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
