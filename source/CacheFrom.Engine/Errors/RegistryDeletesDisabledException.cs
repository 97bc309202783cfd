namespace CacheFrom;

/// <summary>
/// The registry refused a delete because deletes are turned off there (405, or <c>UNSUPPORTED</c>):
/// PruneCache with docker-prune-apply can delete nothing in it. The message says how to turn them on.
/// </summary>
public sealed class RegistryDeletesDisabledException : RegistryException
{
    public RegistryDeletesDisabledException(string registry, Exception? innerException = null)
        : base(registry, Describe(registry), innerException)
    {
    }

    private static string Describe(string registry) =>
        $"The registry {registry} does not allow deletes (it answered 405 Method Not Allowed), so PruneCache deleted nothing there. "
        + "For a distribution registry (registry:2, docker-registry) set REGISTRY_STORAGE_DELETE_ENABLED=true in its environment "
        + "(or storage.delete.enabled: true in its config.yml) and restart it; on a hosted registry, use its own retention policy instead.";
}
