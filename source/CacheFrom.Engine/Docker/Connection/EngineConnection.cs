using System.Runtime.ExceptionServices;
using Docker.DotNet;
using Serilog;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// What every operations class shares: the one client for the endpoint, the per-call extras
/// hook, logging and time — and the translation of transport failures into
/// <see cref="DockerEngineUnavailableException"/>.
/// </summary>
internal sealed class EngineConnection(DockerClient client, DockerEndpoint endpoint, Version apiVersion, RequestExtrasHandler extras, ILogger logger, TimeProvider time)
{
    public DockerClient Client { get; } = client;

    public DockerEndpoint Endpoint { get; } = endpoint;

    public Version ApiVersion { get; } = apiVersion;

    public RequestExtrasHandler Extras { get; } = extras;

    public ILogger Logger { get; } = logger;

    public TimeProvider Time { get; } = time;

    /// <summary>Runs <paramref name="call"/>; a dead or vanished engine becomes one clear exception.</summary>
    public async Task<T> RunAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not CacheFromException && EngineFailures.OwnFailure(exception) is { } own)
        {
            // Our own failure surfaced through the HTTP client's wrapping: a local read of the request
            // body, or the clear message EngineStream raised for TLS trouble.
            ExceptionDispatchInfo.Throw(own);
            throw;
        }
        catch (Exception exception) when (exception is not CacheFromException && EngineFailures.IsTransportFailure(exception))
        {
            throw Unavailable(operation, exception);
        }
    }

    public async Task RunAsync(string operation, Func<Task> call) =>
        await RunAsync<bool>(operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    public DockerEngineUnavailableException Unavailable(string operation, Exception? exception) =>
        exception is not null && EngineFailures.Reason(exception) is "connection refused" or "no such socket"
            ? EngineFailures.NotAnswering(Endpoint, exception)
            : EngineFailures.WentAway(Endpoint, operation, exception);
}
