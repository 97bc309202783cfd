using System.Net;
using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;
using CacheFrom.References;
using Docker.DotNet;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Does a tag exist in its registry? <c>GET /distribution/{ref}/json</c> answers from the
/// manifest alone (tens of milliseconds), without pulling anything.
/// </summary>
internal sealed class DistributionOperations(EngineConnection connection)
{
    public async Task<RemoteImage?> InspectRemoteAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        var image = reference.ToString();
        var registry = RegistryOperations.RegistryName(reference);
        // Enhanced's InspectAsync takes no credentials: the header rides along through the extras hook.
        var extras = new RequestExtras(
            new Dictionary<string, string> { [RegistryAuth.AuthHeader] = RegistryAuth.AuthHeaderValue(credentials, registry) },
            new Dictionary<string, string>());
        try
        {
            var response = await connection.RunAsync($"the registry check of {image}", () => connection.Extras.Apply(
                extras,
                () => connection.Client.Distribution.InspectAsync(image, cancellationToken))).ConfigureAwait(false);
            var descriptor = response.Descriptor;
            connection.Logger.Debug("{Image} exists in its registry ({Digest})", image, descriptor?.Digest);
            return new RemoteImage(image, descriptor?.Digest ?? "", descriptor?.Size ?? 0);
        }
        catch (DockerApiException exception)
        {
            var message = EngineErrorBody.Message(exception.ResponseBody);
            var failure = RegistryErrors.Read(message, exception.StatusCode);
            if (failure.Kind == RegistryFailureKind.NotFound)
            {
                connection.Logger.Debug("{Image} does not exist in its registry", image);
                return null;
            }

            throw RegistryErrors.Classify(registry, $"check of {image}", message, exception, exception.StatusCode);
        }
    }
}
