using System.Text.RegularExpressions;

namespace CacheFrom.References;

/// <summary>
/// A repository (registry host included) plus a tag, validated against Docker's reference
/// grammar before anything talks to Docker.
/// </summary>
public sealed partial record ImageReference
{
    private const int MaxNameLength = 255;

    private ImageReference(string? registry, string path, string tag)
    {
        Registry = registry;
        Path = path;
        Tag = tag;
    }

    /// <summary>The registry host (and port), or null for Docker Hub / local-only names.</summary>
    public string? Registry { get; }

    /// <summary>The repository path inside the registry, e.g. <c>team/app</c>.</summary>
    public string Path { get; }

    public string Tag { get; }

    /// <summary>Repository with registry host: <c>registry.example.com/team/app</c>.</summary>
    public string Repository => Registry is null ? Path : $"{Registry}/{Path}";

    public bool HasRegistryHost => Registry is not null;

    /// <summary>The registry key used in the Docker config file's <c>auths</c>.</summary>
    public string RegistryKey => Registry ?? "https://index.docker.io/v1/";

    public ImageReference WithTag(string tag)
    {
        if (!ImageTag.IsValid(tag))
            throw new ArgumentException($"'{tag}' is not a valid tag.", nameof(tag));
        return new ImageReference(Registry, Path, tag);
    }

    public override string ToString() => $"{Repository}:{Tag}";

    /// <summary>Parses a repository (no tag, no digest) and a tag; null and an error text when invalid.</summary>
    public static bool TryParse(string? repository, string? tag, out ImageReference? reference, out string? error)
    {
        reference = null;
        error = ValidateRepository(repository) ?? ValidateTag(tag);
        if (error is not null)
            return false;

        var (registry, path) = Split(repository!);
        reference = new ImageReference(registry, path, tag!);
        return true;
    }

    public static ImageReference Parse(string repository, string tag) =>
        TryParse(repository, tag, out var reference, out var error)
            ? reference!
            : throw new ArgumentException(error, nameof(repository));

    /// <summary>Why <paramref name="repository"/> is not a repository reference, or null.</summary>
    public static string? ValidateRepository(string? repository)
    {
        if (string.IsNullOrWhiteSpace(repository))
            return "the image repository is empty";
        if (repository.Contains('@', StringComparison.Ordinal))
            return $"'{repository}' holds a digest; give the repository only (e.g. registry.example.com/team/app)";
        if (repository.Length > MaxNameLength)
            return $"'{repository}' is longer than {MaxNameLength} characters";

        var (registry, path) = Split(repository);
        if (registry is not null && !DomainPattern().IsMatch(registry))
            return $"'{registry}' in '{repository}' is not a valid registry host";
        if (path.Contains(':', StringComparison.Ordinal))
            return $"'{repository}' holds a tag; give the tag separately (docker-tag) and the repository without it";
        if (!PathPattern().IsMatch(path))
        {
            return $"'{repository}' is not a valid repository name: path components are lowercase letters, "
                + "digits and single separators (. _ __ -), joined by '/'";
        }

        return null;
    }

    /// <summary>Why <paramref name="tag"/> is not a tag, or null.</summary>
    public static string? ValidateTag(string? tag) =>
        ImageTag.IsValid(tag)
            ? null
            : $"'{tag}' is not a valid tag: up to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'";

    private static (string? Registry, string Path) Split(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return (null, repository);
        var first = repository[..slash];
        // Docker's rule: the first component is a registry host when it looks like one.
        var isHost = first.Contains('.', StringComparison.Ordinal)
            || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost"
            || first.Any(char.IsUpper);
        return isHost ? (first, repository[(slash + 1)..]) : (null, repository);
    }

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
