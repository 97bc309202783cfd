using CacheFrom.References;

namespace CacheFrom.Distribution;

/// <summary>
/// One repository as the distribution API names it: the registry (as users write it, e.g.
/// <c>127.0.0.1:5000</c> or <c>docker.io</c>) and the path under <c>/v2/</c>. Docker Hub's
/// official images get their implicit <c>library/</c>, as the engine resolves them.
/// </summary>
internal sealed record RegistryRepository
{
    public const string DockerHub = "docker.io";

    private RegistryRepository(string registry, string path)
    {
        Registry = registry;
        Path = path;
    }

    /// <summary>The registry host (and port) as users write it; <see cref="DockerHub"/> when a reference names none.</summary>
    public string Registry { get; }

    /// <summary>The repository path in API URLs, e.g. <c>team/app</c>.</summary>
    public string Path { get; }

    public bool IsDockerHub => Registry == DockerHub;

    public static RegistryRepository Of(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var registry = reference.Registry is null or "index.docker.io" or "registry-1.docker.io" ? DockerHub : reference.Registry;
        var path = registry == DockerHub && !reference.Path.Contains('/', StringComparison.Ordinal) ? "library/" + reference.Path : reference.Path;
        return new RegistryRepository(registry, path);
    }

    /// <summary>A repository reference without tag, e.g. <c>registry.example.com/team/app</c>; throws <see cref="ArgumentException"/> when invalid.</summary>
    public static RegistryRepository Parse(string repository) => Of(ImageReference.Parse(repository, "latest"));

    /// <summary>The tagged reference in this repository, as the engine names it.</summary>
    public string Reference(string tag) => $"{this}:{tag}";

    public override string ToString() => IsDockerHub && Path.StartsWith("library/", StringComparison.Ordinal) ? Path["library/".Length..] : $"{Registry}/{Path}";
}
