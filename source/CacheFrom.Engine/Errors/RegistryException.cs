using CacheFrom.Docker.Registry;

namespace CacheFrom;

/// <summary>A registry refused or could not be reached (push, pull, existence check).</summary>
public class RegistryException : CacheFromException
{
    public RegistryException(string registry, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Registry = registry;
    }

    public string Registry { get; }

    /// <summary>What the failure is, when the engine said (<see cref="RegistryErrors"/>); null: read from the message.</summary>
    internal RegistryFailureKind? Kind { get; init; }
}
