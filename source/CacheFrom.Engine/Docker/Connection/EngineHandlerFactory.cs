using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Client;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// Docker.DotNet's transport over <see cref="EngineStream"/>: its HTTP/1.1 handler writes requests
/// on connections we open, so unix sockets, tcp and TLS (client certificate, CA, diagnosis) are
/// set up in one place for the API client, the version probe and the BuildKit session alike.
/// </summary>
internal sealed class EngineHandlerFactory : IDockerHandlerFactory<DockerEndpoint>
{
    public static EngineHandlerFactory Instance { get; } = new();

    /// <summary>A client for <paramref name="endpoint"/>; <paramref name="apiVersion"/> null: unversioned paths (the version probe).</summary>
    public static DockerClient CreateClient(DockerEndpoint endpoint, Version? apiVersion, IAuthProvider? extras = null, TimeSpan? timeout = null)
    {
        DockerClientBuilder builder = new DockerClientBuilder()
            .WithEndpoint(endpoint.ApiUri)
            .WithAuthProvider(extras)
            .WithTransportOptions(Instance, endpoint);
        if (apiVersion is not null)
            builder = builder.WithApiVersion(apiVersion);
        if (timeout is { } limit)
            builder = builder.WithTimeout(limit);
        return builder.Build();
    }

    public ResolvedTransport CreateHandler(DockerEndpoint transportOptions, ResolvedClientOptions clientOptions, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(transportOptions);
        var endpoint = transportOptions;
        var handler = new ManagedHandler((_, _, cancellationToken) => EngineStream.OpenAsync(endpoint, cancellationToken), logger)
        {
            // The docker CLI never sends engine traffic through HTTP(S)_PROXY; neither do we.
            UseProxy = false,
        };
        return new ResolvedTransport(handler, endpoint.ApiUri);
    }

    public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
        throw new NotSupportedException("The engine transport needs its DockerEndpoint.");

    public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) =>
        content is HttpConnectionResponseContent hijackable
            ? Task.FromResult(hijackable.HijackStream())
            : throw new NotSupportedException("The content type is not supported for stream hijacking.");
}
