using Docker.DotNet;

namespace CacheFrom.Docker.Connection;

/// <summary>The engine itself: is it there, and which API version to speak.</summary>
internal static class SystemOperations
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the engine keeps images in containerd's image store (<c>GET /info</c>: a driver of type
    /// <c>io.containerd.snapshotter.v1</c>), the default of Docker 29, Docker Desktop and dind. Such an
    /// engine's BuildKit reads cache-from only from registries, and its classic builder cannot restore
    /// cached steps that add no layer. False when the engine does not say.
    /// </summary>
    public static async Task<bool> UsesContainerdImageStoreAsync(EngineConnection connection, CancellationToken cancellationToken = default)
    {
        try
        {
            var info = await connection.Client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
            return info.DriverStatus?.Any(pair => pair.Any(value => value?.Contains("io.containerd.snapshotter", StringComparison.Ordinal) == true)) == true;
        }
        catch (Exception exception) when (exception is DockerApiException or HttpRequestException or IOException)
        {
            connection.Logger.Debug("GET /info failed ({Reason}); assuming the engine's own image store", exception.Message);
            return false;
        }
    }

    /// <summary>The platform the engine builds for by default, <c>os/arch</c> (<c>GET /version</c>).</summary>
    public static async Task<string> PlatformAsync(EngineConnection connection, CancellationToken cancellationToken = default)
    {
        var version = await connection.RunAsync("the engine's version", () => connection.Client.System.GetVersionAsync(cancellationToken)).ConfigureAwait(false);
        return $"{version.Os}/{version.Arch}";
    }

    /// <summary>Asks <c>GET /version</c> without a version prefix (every engine answers that) and negotiates.</summary>
    public static async Task<Version> NegotiateApiVersionAsync(DockerEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        using var probe = EngineHandlerFactory.CreateClient(endpoint, apiVersion: null, timeout: ProbeTimeout);
        try
        {
            var version = await probe.System.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            return ApiVersionNegotiation.Negotiate(version.APIVersion, version.MinAPIVersion, endpoint.ToString());
        }
        catch (Exception exception) when (exception is not CacheFromException && EngineFailures.OwnFailure(exception) is { } own)
        {
            // A TLS problem, or a TLS engine spoken to in plain HTTP: already one clear message.
            throw own;
        }
        catch (Exception exception) when (exception is not CacheFromException && EngineFailures.IsTransportFailure(exception))
        {
            // A TLS endpoint spoken to in plain HTTP may just hang up (OpenSSL does): on the very first request, say so.
            if (!endpoint.IsUnix && endpoint.Tls is null && EngineFailures.Reason(exception) is "the connection closed mid-response" or "connection reset")
            {
                throw new DockerEngineUnavailableException(
                    $"No Docker engine answered at {endpoint}: something accepted the connection and closed it without answering GET /version. "
                    + $"A TLS endpoint does that to plain HTTP: if this is one (usually port {DockerEndpoint.DefaultTlsPort}), set DOCKER_TLS_VERIFY=1 and "
                    + $"DOCKER_CERT_PATH to the folder with its ca.pem, cert.pem and key.pem. {DockerEndpoint.Advice}",
                    exception);
            }
            throw EngineFailures.NotAnswering(endpoint, exception);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerEngineUnavailableException(
                $"No Docker engine answered at {endpoint} (no answer within {ProbeTimeout.TotalSeconds:0} s). {DockerEndpoint.Advice}");
        }
        catch (DockerApiException exception) when (exception.ResponseBody?.Contains("HTTP request to an HTTPS server", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw EngineStream.ExpectsTls(endpoint, "\"client sent an HTTP request to an HTTPS server\"", exception);
        }
        catch (DockerApiException exception)
        {
            throw new DockerEngineUnavailableException(
                $"Something answered at {endpoint}, but not like a Docker engine (GET /version: {(int)exception.StatusCode}). {DockerEndpoint.Advice}", exception);
        }
    }
}
