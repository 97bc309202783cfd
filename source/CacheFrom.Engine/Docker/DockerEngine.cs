using CacheFrom.Configuration;
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
    /// <summary>Connects to <paramref name="dockerHost"/> (null: DOCKER_HOST, else the local socket) and negotiates the API version.</summary>
    public static Task<DockerEngine> ConnectAsync(string? dockerHost, ILogger logger, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>The tag's manifest without pulling it; null when the tag or repository does not exist.</summary>
    public Task<RemoteImage?> InspectRemoteAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>True when the engine has an image under that reference or id.</summary>
    public Task<bool> ExistsLocallyAsync(string reference, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<TransferResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<TransferResult> PushAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task TagAsync(string source, ImageReference target, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Writes <c>docker save</c> of the references to <paramref name="destination"/>.</summary>
    public Task<TransferResult> SaveAsync(IReadOnlyList<string> references, Stream destination, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary><c>docker load</c>; returns the references loaded. A corrupt tarball throws <see cref="CorruptTarballException"/>.</summary>
    public Task<(IReadOnlyList<string> Loaded, TransferResult Transfer)> LoadAsync(Stream source, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
