using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Registry;
using CacheFrom.References;
using CacheFrom.Resilience;

namespace CacheFrom.Fingerprints;

/// <summary>
/// What each image a Dockerfile names is this run, without pulling: the engine's own image when
/// it has one (the builders use a local image before asking a registry), by the digest it was
/// pulled as or else its id; otherwise the tag's manifest digest in its registry. A name that can
/// be told neither way is unresolved, with the reason (its instructions are then unknowable).
/// </summary>
internal sealed class ImageResolver(DockerEngine engine, RetryExecutor retry, Func<ImageReference, RegistryCredentials?> credentials)
{
    public async Task<IReadOnlyDictionary<string, ImageIdentity>> ResolveAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var resolved = await Task.WhenAll(names.Distinct(StringComparer.Ordinal).Select(name => ResolveAsync(name, cancellationToken))).ConfigureAwait(false);
        return resolved.ToDictionary(i => i.Name, StringComparer.Ordinal);
    }

    private async Task<ImageIdentity> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (ImageName.TryParse(name) is not { } image)
            return ImageIdentity.Unresolved(name, $"'{name}' is not an image reference");
        if (image.Digest is { } pinned)
            return ImageIdentity.Resolved(name, pinned, ImageIdentity.Registry);

        try
        {
            if (await engine.InspectLocalAsync(image.Reference.ToString(), cancellationToken).ConfigureAwait(false) is { } local)
                return ImageIdentity.Resolved(name, PulledAs(local.RepoDigests, image.Reference) ?? local.Id, ImageIdentity.Local);

            var remote = await retry.ExecuteAsync(
                new RegistryOperation($"registry check of {image.Reference}", RegistryOperations.RegistryName(image.Reference), AttemptLimit.Timeout),
                (_, token) => engine.InspectRemoteAsync(image.Reference, credentials(image.Reference), token),
                cancellationToken).ConfigureAwait(false);
            return remote is { Digest.Length: > 0 }
                ? ImageIdentity.Resolved(name, remote.Digest, ImageIdentity.Registry)
                : ImageIdentity.Unresolved(name, $"{image.Reference} is neither on the engine nor in its registry");
        }
        catch (CacheFromException exception)
        {
            return ImageIdentity.Unresolved(name, exception.Message);
        }
    }

    /// <summary>The digest among <c>repo@sha256:…</c> entries that belongs to the same repository (Docker Hub names normalised).</summary>
    private static string? PulledAs(IReadOnlyList<string> repoDigests, ImageReference reference)
    {
        var wanted = Normalise(reference.Registry, reference.Path);
        foreach (var entry in repoDigests)
        {
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            if (at <= 0 || ImageName.TryParse(entry[..at]) is not { } name)
                continue;
            if (Normalise(name.Reference.Registry, name.Reference.Path) == wanted)
                return entry[(at + 1)..];
        }

        return null;
    }

    private static string Normalise(string? registry, string path)
    {
        var host = registry is null or "index.docker.io" or "registry-1.docker.io" ? "docker.io" : registry;
        return host == "docker.io" && !path.Contains('/', StringComparison.Ordinal) ? $"{host}/library/{path}" : $"{host}/{path}";
    }
}
