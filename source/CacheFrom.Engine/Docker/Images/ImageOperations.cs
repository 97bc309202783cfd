using System.Net;
using CacheFrom.Docker.Connection;
using CacheFrom.References;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace CacheFrom.Docker.Images;

/// <summary>Images the engine holds: existence, ids, tags.</summary>
internal sealed class ImageOperations(EngineConnection connection)
{
    public async Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken = default) =>
        await FindIdAsync(reference, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The image id (<c>sha256:…</c>) under that reference or id, or null.</summary>
    public async Task<string?> FindIdAsync(string reference, CancellationToken cancellationToken = default) =>
        (await InspectAsync(reference, cancellationToken).ConfigureAwait(false))?.Id;

    /// <summary>The image under that reference or id (id, repo digests, labels), or null.</summary>
    public async Task<LocalImage?> InspectAsync(string reference, CancellationToken cancellationToken = default)
    {
        try
        {
            var image = await connection.RunAsync($"the inspection of {reference}", () =>
                connection.Client.Images.InspectImageAsync(reference, cancellationToken)).ConfigureAwait(false);
            return new LocalImage(
                image.ID,
                [.. image.RepoDigests ?? []],
                image.Config?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>());
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // 400: not even a valid reference, so certainly not there.
            return null;
        }
    }

    public async Task TagAsync(string source, ImageReference target, CancellationToken cancellationToken = default)
    {
        try
        {
            await connection.RunAsync($"tagging {target}", () => connection.Client.Images.TagImageAsync(
                source,
                new ImageTagParameters { RepositoryName = target.Repository, Tag = target.Tag },
                cancellationToken)).ConfigureAwait(false);
            connection.Logger.Debug("Tagged {Source} as {Target}", source, target.ToString());
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new CacheFromException($"Cannot tag {target}: the engine has no image {source}.", exception);
        }
    }
}
