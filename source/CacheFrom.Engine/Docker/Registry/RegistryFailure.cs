namespace CacheFrom.Docker.Registry;

/// <summary>A registry failure as <see cref="RegistryErrors"/> read it: its kind and a short reason for the message ("connection refused", "401 Unauthorized").</summary>
internal readonly record struct RegistryFailure(RegistryFailureKind Kind, string Reason);
