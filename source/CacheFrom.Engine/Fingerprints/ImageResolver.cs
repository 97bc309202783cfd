using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Docker;
using CacheFrom.References;

namespace CacheFrom.Fingerprints;

/// <summary>
/// What each image a Dockerfile names is this run, without pulling: the engine's own image when
/// it has one (the builders use a local image before asking a registry), by the digest it was
/// pulled as or else its id; otherwise the tag's manifest digest, one HEAD request to its
/// registry. A name that can be told neither way is unresolved, with the reason (its instructions
/// are then unknowable).
/// </summary>
internal sealed class ImageResolver(DockerEngine engine, RegistryClient registry, Func<ImageReference, RegistryCredentials?> credentials)
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
            var repository = RegistryRepository.Of(image.Reference);
            if (await engine.InspectLocalAsync(image.Reference.ToString(), cancellationToken).ConfigureAwait(false) is { } local)
                return ImageIdentity.Resolved(name, PulledAs(local.RepoDigests, repository) ?? local.Id, ImageIdentity.Local);

            var remote = await registry.Manifests.HeadAsync(repository, image.Reference.Tag, credentials(image.Reference), cancellationToken).ConfigureAwait(false);
            return remote is not null
                ? ImageIdentity.Resolved(name, remote.Digest, ImageIdentity.Registry)
                : ImageIdentity.Unresolved(name, $"{image.Reference} is neither on the engine nor in its registry");
        }
        catch (Exception exception) when (exception is CacheFromException or HttpRequestException or TimeoutException)
        {
            return ImageIdentity.Unresolved(name, exception.Message);
        }
    }

    /// <summary>The digest among the engine's <c>repo@sha256:…</c> entries that belongs to the same repository.</summary>
    private static string? PulledAs(IReadOnlyList<string> repoDigests, RegistryRepository repository)
    {
        foreach (var entry in repoDigests)
        {
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            if (at > 0 && ImageName.TryParse(entry[..at]) is { } name && RegistryRepository.Of(name.Reference) == repository)
                return entry[(at + 1)..];
        }

        return null;
    }
}
