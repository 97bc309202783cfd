using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using CacheFrom.Configuration;
using CacheFrom.Resilience;

namespace CacheFrom.Distribution;

/// <summary>
/// <c>/v2/NAME/blobs/</c>: HEAD, GET (whole into memory for small blobs, or streamed; the digest
/// is checked either way) and the monolithic upload (POST, then PUT with the digest), skipped
/// when the blob is already there. Redirects (blob stores behind a CDN) are followed without the
/// registry's Authorization header.
/// </summary>
internal sealed class BlobOperations(RegistryTransport transport)
{
    private const string OctetStream = "application/octet-stream";

    /// <summary>The blob's size when it exists in the repository, else null.</summary>
    public Task<Descriptor?> HeadAsync(RegistryRepository repository, string digest, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        RequireDigest(digest);
        var description = $"blob check of {repository}@{digest}";
        return transport.RunAsync(description, repository, AttemptLimit.Timeout,
            (_, token) => HeadOnceAsync(repository, digest, RegistryAccess.Pull, credentials, description, token), cancellationToken);
    }

    /// <summary>The whole blob, at most <paramref name="maxBytes"/>; for configs and small artifacts.</summary>
    public Task<byte[]> ReadAsync(RegistryRepository repository, string digest, long maxBytes, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        RequireDigest(digest);
        var description = $"blob read of {repository}@{digest}";
        return transport.RunAsync(description, repository, AttemptLimit.Stall, async (heartbeat, token) =>
        {
            var request = RegistryRequest.To(HttpMethod.Get, repository, "blobs/" + digest, RegistryAccess.Pull, credentials, description);
            using var response = await SendGetAsync(request, token).ConfigureAwait(false);
            var content = await RegistryTransport.ReadBoundedAsync(request, response, maxBytes, heartbeat, token).ConfigureAwait(false);
            if (ContentDigest.IsSha256(digest) && ContentDigest.Sha256(content) is var computed && computed != digest)
                throw RegistryFailures.Invalid(request, $"the blob's bytes hash to {computed}, not {digest}", transient: true);
            return content;
        }, cancellationToken);
    }

    /// <summary>
    /// Streams the blob into <paramref name="destination"/>, which must be seekable: a retried
    /// attempt starts it again from where it was. Returns the bytes written.
    /// </summary>
    public Task<long> DownloadAsync(RegistryRepository repository, string digest, Stream destination, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        RequireDigest(digest);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanSeek || !destination.CanWrite)
            throw new ArgumentException("The destination must be writable and seekable, so that a retried download can start again.", nameof(destination));
        var start = destination.Position;
        var description = $"blob download of {repository}@{digest}";
        return transport.RunAsync(description, repository, AttemptLimit.Stall, async (heartbeat, token) =>
        {
            destination.Position = start;
            destination.SetLength(start);
            var request = RegistryRequest.To(HttpMethod.Get, repository, "blobs/" + digest, RegistryAccess.Pull, credentials, description);
            using var response = await SendGetAsync(request, token).ConfigureAwait(false);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await stream.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
                    {
                        heartbeat();
                        hash.AppendData(buffer, 0, read);
                        await destination.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                        total += read;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException)
            {
                token.ThrowIfCancellationRequested();
                throw RegistryFailures.Unreachable(request, $"registry {request.Registry}", exception);
            }

            if (ContentDigest.IsSha256(digest) && ContentDigest.Sha256(hash) is var computed && computed != digest)
                throw RegistryFailures.Invalid(request, $"the blob's bytes hash to {computed}, not {digest}", transient: true);
            return total;
        }, cancellationToken);
    }

    /// <summary>
    /// Uploads <paramref name="content"/> (POST for an upload URL, then one PUT with the digest) unless
    /// the repository has it already; the descriptor names it as <paramref name="mediaType"/>.
    /// </summary>
    public Task<Descriptor> UploadAsync(RegistryRepository repository, ReadOnlyMemory<byte> content, string mediaType, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        var digest = ContentDigest.Sha256(content.Span);
        var descriptor = new Descriptor(mediaType, digest, content.Length);
        var description = $"blob upload of {digest} to {repository}";
        return transport.RunAsync(description, repository, AttemptLimit.Stall, async (heartbeat, token) =>
        {
            // Asked with push scope, so the token that answers this HEAD also carries the upload.
            if (await HeadOnceAsync(repository, digest, RegistryAccess.Push, credentials, description, token).ConfigureAwait(false) is not null)
            {
                transport.Logger.Debug("Blob {Digest} already in {Repository}; not uploaded", digest, repository.ToString());
                return descriptor;
            }

            var start = RegistryRequest.To(HttpMethod.Post, repository, "blobs/uploads/", RegistryAccess.Push, credentials, description) with
            {
                Content = () => new ByteArrayContent([]),
            };
            string location;
            using (var response = await transport.SendAsync(start, token).ConfigureAwait(false))
            {
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw RegistryFailures.FromResponse(start, response.StatusCode, await RegistryTransport.ReadErrorAsync(start, response, token).ConfigureAwait(false));
                location = response.Headers.Location?.OriginalString
                    ?? throw RegistryFailures.Invalid(start, "the upload was accepted without a Location to send it to", transient: true);
            }

            heartbeat();
            var separator = location.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var put = start.At(HttpMethod.Put, $"{location}{separator}digest={Uri.EscapeDataString(digest)}", () =>
            {
                var body = new ReadOnlyMemoryContent(content);
                body.Headers.ContentType = new MediaTypeHeaderValue(OctetStream);
                return body;
            });
            using (var response = await transport.SendAsync(put, token).ConfigureAwait(false))
            {
                if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.Accepted))
                    throw RegistryFailures.FromResponse(put, response.StatusCode, await RegistryTransport.ReadErrorAsync(put, response, token).ConfigureAwait(false));
            }

            transport.Logger.Debug("Blob {Digest} ({Bytes} bytes) uploaded to {Repository}", digest, content.Length, repository.ToString());
            return descriptor;
        }, cancellationToken);
    }

    private async Task<Descriptor?> HeadOnceAsync(RegistryRepository repository, string digest, RegistryAccess access, RegistryCredentials? credentials,
        string description, CancellationToken cancellationToken)
    {
        var request = RegistryRequest.To(HttpMethod.Head, repository, "blobs/" + digest, access, credentials, description);
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        if (response.StatusCode != HttpStatusCode.OK)
            throw RegistryFailures.FromResponse(request, response.StatusCode, RegistryErrorBody.None);
        return new Descriptor(response.Content.Headers.ContentType?.MediaType ?? OctetStream, digest, response.Content.Headers.ContentLength ?? -1);
    }

    private async Task<HttpResponseMessage> SendGetAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK)
            return response;
        using (response)
            throw RegistryFailures.FromResponse(request, response.StatusCode, await RegistryTransport.ReadErrorAsync(request, response, cancellationToken).ConfigureAwait(false));
    }

    private static void RequireDigest(string digest)
    {
        if (!ContentDigest.IsValid(digest))
            throw new ArgumentException($"'{digest}' is not a digest.", nameof(digest));
    }
}
