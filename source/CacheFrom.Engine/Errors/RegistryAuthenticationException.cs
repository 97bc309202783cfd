namespace CacheFrom;

/// <summary>Missing or wrong credentials for a registry.</summary>
public sealed class RegistryAuthenticationException : RegistryException
{
    public RegistryAuthenticationException(string registry, string message, Exception? innerException = null)
        : base(registry, message, innerException)
    {
    }
}
