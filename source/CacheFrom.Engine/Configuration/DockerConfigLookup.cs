namespace CacheFrom.Configuration;

/// <summary>What the Docker config gave for one registry: the credentials (null: none, use it anonymously) and where they came from, for the log (never a secret).</summary>
internal sealed record DockerConfigLookup(RegistryCredentials? Credentials, string Source);
