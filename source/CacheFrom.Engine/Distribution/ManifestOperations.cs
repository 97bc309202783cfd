using System.Net;
using System.Net.Http.Headers;
using CacheFrom.Configuration;
using CacheFrom.Resilience;

namespace CacheFrom.Distribution;

/// <summary>
/// <c>/v2/NAME/manifests/REFERENCE</c>: HEAD (exists? digest, size, media type), GET (the exact
/// bytes, digest checked), PUT (bytes and media type as given) and DELETE (by digest). A missing
/// tag or repository is null (or false), not an error.
/// </summary>
internal sealed class ManifestOperations(RegistryTransport transport)
{
    /// <summary>The distribution spec's limit registries must accept; larger is not a manifest we wrote or read.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    private const string DigestHeader = "Docker-Content-Digest";

    public Task<Descriptor?> HeadAsync(RegistryRepository repository, string reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        var description = $"manifest check of {Name(repository, reference)}";
        return transport.RunAsync(description, repository, AttemptLimit.Timeout, async (_, token) =>
        {
            var request = Request(HttpMethod.Head, repository, reference, credentials, description);
            using (var response = await transport.SendAsync(request, token).ConfigureAwait(false))
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                    return null;
                if (response.StatusCode != HttpStatusCode.OK)
                    throw RegistryFailures.FromResponse(request, response.StatusCode, RegistryErrorBody.None);
                var digest = Digest(response);
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (digest is not null && mediaType is not null && response.Content.Headers.ContentLength is { } size)
                    return new Descriptor(mediaType, digest, size);
            }

            // The spec makes Docker-Content-Digest a SHOULD on a HEAD; without it, the GET tells.
            var manifest = await GetOnceAsync(Request(HttpMethod.Get, repository, reference, credentials, description), reference, token).ConfigureAwait(false);
            return manifest?.Descriptor;
        }, cancellationToken);
    }

    public Task<RegistryManifest?> GetAsync(RegistryRepository repository, string reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        var description = $"manifest read of {Name(repository, reference)}";
        return transport.RunAsync(
            description,
            repository,
            AttemptLimit.Timeout,
            (_, token) => GetOnceAsync(Request(HttpMethod.Get, repository, reference, credentials, description), reference, token),
            cancellationToken);
    }

    /// <summary>Stores <paramref name="manifest"/>'s bytes under <paramref name="reference"/> (a tag, or its digest) with its media type.</summary>
    public Task<Descriptor> PutAsync(RegistryRepository repository, string reference, RegistryManifest manifest, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var description = $"manifest write of {Name(repository, reference)}";
        return transport.RunAsync(description, repository, AttemptLimit.Timeout, async (_, token) =>
        {
            var request = Request(HttpMethod.Put, repository, reference, credentials, description, RegistryAccess.Push) with
            {
                Content = () =>
                {
                    var content = new ByteArrayContent(manifest.Content);
                    content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
                    return content;
                },
            };
            using var response = await transport.SendAsync(request, token).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted))
                throw RegistryFailures.FromResponse(request, response.StatusCode, await RegistryTransport.ReadErrorAsync(request, response, token).ConfigureAwait(false));
            if (Digest(response) is { } stored && stored != manifest.Digest)
            {
                // The spec lets a registry name a canonical digest of its own; it is the one that addresses the manifest there.
                transport.Logger.Warning("Registry {Registry} stored the manifest {Reference} as {Stored}, not {Digest}", repository.Registry, Name(repository, reference), stored, manifest.Digest);
                return manifest.Descriptor with { Digest = stored };
            }

            transport.Logger.Debug("Manifest {Reference} written ({Digest}, {MediaType})", Name(repository, reference), manifest.Digest, manifest.MediaType);
            return manifest.Descriptor;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the manifest <paramref name="digest"/> and so every tag pointing at it (the spec deletes by digest only).
    /// False when it does not exist. A registry with deletes turned off throws a <see cref="RegistryRequestException"/>
    /// with <see cref="RegistryRequestException.DeletesDisabled"/>.
    /// </summary>
    public Task<bool> DeleteAsync(RegistryRepository repository, string digest, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        if (!ContentDigest.IsValid(digest))
            throw new ArgumentException($"'{digest}' is not a digest: a registry deletes manifests by digest only.", nameof(digest));
        var description = $"manifest delete of {Name(repository, digest)}";
        return transport.RunAsync(description, repository, AttemptLimit.Timeout, async (_, token) =>
        {
            var request = Request(HttpMethod.Delete, repository, digest, credentials, description, RegistryAccess.Delete);
            using var response = await transport.SendAsync(request, token).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.NoContent)
                return true;
            var body = await RegistryTransport.ReadErrorAsync(request, response, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && !body.Has(RegistryErrorCode.Unsupported))
                return false;
            throw RegistryFailures.FromResponse(request, response.StatusCode, body);
        }, cancellationToken);
    }

    /// <summary><c>REPO:TAG</c> or <c>REPO@DIGEST</c>.</summary>
    public static string Name(RegistryRepository repository, string reference) =>
        ContentDigest.IsDigestReference(reference) ? $"{repository}@{reference}" : $"{repository}:{reference}";

    private async Task<RegistryManifest?> GetOnceAsync(RegistryRequest request, string reference, CancellationToken cancellationToken)
    {
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        if (response.StatusCode != HttpStatusCode.OK)
            throw RegistryFailures.FromResponse(request, response.StatusCode, await RegistryTransport.ReadErrorAsync(request, response, cancellationToken).ConfigureAwait(false));

        var content = await RegistryTransport.ReadBoundedAsync(request, response, MaxManifestBytes, heartbeat: null, cancellationToken).ConfigureAwait(false);
        var computed = ContentDigest.Sha256(content);
        // Asked by digest, the digest is the truth; asked by tag, the registry's header must agree with the bytes.
        var expected = ContentDigest.IsDigestReference(reference) ? reference : Digest(response);
        if (expected is not null && ContentDigest.IsSha256(expected) && expected != computed)
            throw RegistryFailures.Invalid(request, $"the manifest's bytes hash to {computed}, not {expected}", transient: true);
        try
        {
            return RegistryManifest.Parse(content, response.Content.Headers.ContentType?.MediaType, expected ?? computed);
        }
        catch (InvalidDataException exception)
        {
            throw RegistryFailures.Invalid(request, exception.Message, transient: false, exception);
        }
    }

    private static RegistryRequest Request(HttpMethod method, RegistryRepository repository, string reference, RegistryCredentials? credentials,
        string description, RegistryAccess access = RegistryAccess.Pull) =>
        RegistryRequest.To(method, repository, "manifests/" + reference, access, credentials, description) with { Accept = MediaTypes.Manifests };

    private static string? Digest(HttpResponseMessage response) =>
        response.Headers.TryGetValues(DigestHeader, out var values) && values.FirstOrDefault() is { } digest && ContentDigest.IsValid(digest) ? digest : null;
}
