using CacheFrom.Configuration;
using CacheFrom.Docker.Build;
using CacheFrom.Docker.Connection;
using CacheFrom.Docker.Images;
using CacheFrom.Docker.Registry;
using CacheFrom.Docker.Streams;
using CacheFrom.References;
using Serilog;

namespace CacheFrom.Docker;

/// <summary>
/// The one façade over the Docker engine API the pipeline uses. Docker.DotNet stays behind it.
/// Every method checks errors that arrive inside a 200 response stream and throws a
/// <see cref="CacheFromException"/> subclass with a message that says what to do.
/// </summary>
internal sealed class DockerEngine : IAsyncDisposable
{
    private readonly EngineConnection _connection;
    private readonly ImageOperations _images;
    private readonly RegistryOperations _registry;
    private readonly DistributionOperations _distribution;
    private readonly BuildOperations _builds;
    private readonly ArchiveOperations _archives;
    private Task<bool>? _containerdImageStore;

    private DockerEngine(EngineConnection connection)
    {
        _connection = connection;
        _images = new ImageOperations(connection);
        _registry = new RegistryOperations(connection);
        _distribution = new DistributionOperations(connection);
        _builds = new BuildOperations(connection, _images);
        _archives = new ArchiveOperations(connection);
    }

    /// <summary>The endpoint in use, e.g. <c>unix:///var/run/docker.sock</c> or <c>tcp://host:2375</c>.</summary>
    public string Endpoint => _connection.Endpoint.ToString();

    /// <summary>The endpoint itself: what a BuildKit session connects to.</summary>
    public DockerEndpoint ResolvedEndpoint => _connection.Endpoint;

    /// <summary>The negotiated API version, e.g. <c>1.41</c>.</summary>
    public string ApiVersion => _connection.ApiVersion.ToString();

    /// <summary>Whether the engine uses the containerd image store (asked once per engine).</summary>
    public Task<bool> UsesContainerdImageStoreAsync(CancellationToken cancellationToken = default) =>
        (_containerdImageStore ??= SystemOperations.UsesContainerdImageStoreAsync(_connection, CancellationToken.None)).WaitAsync(cancellationToken);

    /// <summary>Connects to <paramref name="dockerHost"/> (null: DOCKER_HOST, else the local socket) and negotiates the API version.</summary>
    public static async Task<DockerEngine> ConnectAsync(string? dockerHost, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var endpoint = DockerEndpoint.Resolve(dockerHost, EnvironmentSnapshot.Current());
        var version = await SystemOperations.NegotiateApiVersionAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var extras = new RequestExtrasHandler();
        var client = EngineHandlerFactory.CreateClient(endpoint, version, extras);
        if (endpoint.Tls is { } tls)
        {
            logger.Information(
                "Docker engine at {Endpoint} (from {Source}, TLS {TlsCheck:l}), API {ApiVersion}",
                endpoint.ToString(), endpoint.Source, tls.Verify ? "verified" : "not verified", version.ToString());
        }
        else
        {
            logger.Information("Docker engine at {Endpoint} (from {Source}), API {ApiVersion}", endpoint.ToString(), endpoint.Source, version.ToString());
        }
        return new DockerEngine(new EngineConnection(client, endpoint, version, extras, logger, TimeProvider.System));
    }

    /// <summary>The tag's manifest without pulling it; null when the tag or repository does not exist.</summary>
    public Task<RemoteImage?> InspectRemoteAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        _distribution.InspectRemoteAsync(reference, credentials, cancellationToken);

    /// <summary>The engine's image under that reference or id (id, repo digests, labels), or null.</summary>
    public Task<LocalImage?> InspectLocalAsync(string reference, CancellationToken cancellationToken = default) =>
        _images.InspectAsync(reference, cancellationToken);

    /// <summary>The platform the engine builds for when none is asked, e.g. <c>linux/amd64</c>.</summary>
    public Task<string> PlatformAsync(CancellationToken cancellationToken = default) =>
        SystemOperations.PlatformAsync(_connection, cancellationToken);

    /// <summary>True when the engine has an image under that reference or id.</summary>
    public Task<bool> ExistsLocallyAsync(string reference, CancellationToken cancellationToken = default) =>
        _images.ExistsAsync(reference, cancellationToken);

    public Task<TransferResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        _registry.PullAsync(reference, credentials, cancellationToken);

    public Task<TransferResult> PushAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        _registry.PushAsync(reference, credentials, cancellationToken);

    /// <summary>A pull that calls <paramref name="heartbeat"/> on every sign of progress (not on a repeated status), so a caller can tell a stalled transfer from a slow one.</summary>
    public Task<TransferResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, Action? heartbeat, CancellationToken cancellationToken = default) =>
        _registry.PullAsync(reference, credentials, heartbeat, cancellationToken);

    /// <summary>A push that calls <paramref name="heartbeat"/> on every sign of progress (not on a repeated status).</summary>
    public Task<TransferResult> PushAsync(ImageReference reference, RegistryCredentials? credentials, Action? heartbeat, CancellationToken cancellationToken = default) =>
        _registry.PushAsync(reference, credentials, heartbeat, cancellationToken);

    public Task TagAsync(string source, ImageReference target, CancellationToken cancellationToken = default) =>
        _images.TagAsync(source, target, cancellationToken);

    public Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken = default) =>
        _builds.BuildAsync(request, cancellationToken);

    /// <summary>Writes <c>docker save</c> of the references to <paramref name="destination"/>.</summary>
    public Task<TransferResult> SaveAsync(IReadOnlyList<string> references, Stream destination, CancellationToken cancellationToken = default) =>
        _archives.SaveAsync(references, destination, cancellationToken);

    /// <summary>
    /// <c>docker load</c>; returns the references loaded. The engine refusing the archive is a
    /// <see cref="CacheFromException"/> (it says nothing about the file: verify that locally first, see
    /// <c>Tarballs.TarballVerifier</c>); a failing read of <paramref name="source"/> is a <see cref="TarballStoreException"/>.
    /// </summary>
    public Task<(IReadOnlyList<string> Loaded, TransferResult Transfer)> LoadAsync(Stream source, CancellationToken cancellationToken = default) =>
        _archives.LoadAsync(source, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _connection.Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
