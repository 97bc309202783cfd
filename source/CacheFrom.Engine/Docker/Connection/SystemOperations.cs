using Docker.DotNet;

namespace CacheFrom.Docker.Connection;

/// <summary>The engine itself: is it there, and which API version to speak.</summary>
internal static class SystemOperations
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Asks <c>GET /version</c> without a version prefix (every engine answers that) and negotiates.</summary>
    public static async Task<Version> NegotiateApiVersionAsync(DockerEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        using var probe = new DockerClientBuilder()
            .WithEndpoint(endpoint.Uri)
            .WithTimeout(ProbeTimeout)
            .Build();
        try
        {
            var version = await probe.System.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            return ApiVersionNegotiation.Negotiate(version.APIVersion, version.MinAPIVersion, endpoint.ToString());
        }
        catch (Exception exception) when (exception is not CacheFromException && EngineFailures.IsTransportFailure(exception))
        {
            throw EngineFailures.NotAnswering(endpoint, exception);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerEngineUnavailableException(
                $"No Docker engine answered at {endpoint} (no answer within {ProbeTimeout.TotalSeconds:0} s). {DockerEndpoint.Advice}");
        }
        catch (DockerApiException exception)
        {
            throw new DockerEngineUnavailableException(
                $"Something answered at {endpoint}, but not like a Docker engine (GET /version: {(int)exception.StatusCode}). {DockerEndpoint.Advice}", exception);
        }
    }
}
