namespace CacheFrom.Configuration;

/// <summary>
/// A build secret for <c>RUN --mount=type=secret,id=…</c>: its value comes from an environment
/// variable or a file, read only when BuildKit asks for it.
/// </summary>
public sealed class BuildSecret
{
    public BuildSecret(string id, BuildSecretSource source, string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(location);
        Id = id;
        Source = source;
        Location = location;
    }

    public string Id { get; }

    public BuildSecretSource Source { get; }

    /// <summary>The environment variable's name or the file's path; never the value.</summary>
    public string Location { get; }

    public override string ToString() => $"{Id}={Location}";
}

public enum BuildSecretSource
{
    EnvironmentVariable,
    File,
}
