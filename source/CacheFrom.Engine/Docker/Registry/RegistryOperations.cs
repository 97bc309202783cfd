using System.Net;
using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;
using CacheFrom.Docker.Streams;
using CacheFrom.References;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Push and pull. Both report failures inside a 200 stream (a dead registry, a refused login),
/// so the stream is read to the end and its errors turned into <see cref="RegistryException"/>s.
/// </summary>
internal sealed class RegistryOperations(EngineConnection connection)
{
    public Task<TransferResult> PushAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        PushAsync(reference, credentials, heartbeat: null, cancellationToken);

    /// <summary><paramref name="heartbeat"/> is called on every progress message that is news, not a repeat (a caller's stall detection).</summary>
    public async Task<TransferResult> PushAsync(ImageReference reference, RegistryCredentials? credentials, Action? heartbeat, CancellationToken cancellationToken = default)
    {
        var image = reference.ToString();
        var registry = RegistryName(reference);
        connection.Logger.Information("Pushing {Image}", image);
        var (tally, throttle, progress, errors) = Track("Pushing", image, heartbeat);
        try
        {
            await connection.RunAsync($"the push of {image}", () => connection.Client.Images.PushImageAsync(
                reference.Repository,
                new ImagePushParameters { Tag = reference.Tag },
                RegistryAuth.ToAuthConfig(credentials, registry),
                progress,
                cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw Failure(registry, $"push of {image}", EngineErrorBody.Message(exception.ResponseBody), exception);
        }

        if (errors.Count > 0)
            throw Failure(registry, $"push of {image}", errors[0], null);

        var result = new TransferResult(tally.Bytes, throttle.Elapsed);
        connection.Logger.Information("Pushed {Image} in {Duration:0.0} s ({Bytes} bytes sent)", image, result.Duration.TotalSeconds, result.Bytes);
        return result;
    }

    public Task<TransferResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, CancellationToken cancellationToken = default) =>
        PullAsync(reference, credentials, heartbeat: null, cancellationToken);

    /// <summary><paramref name="heartbeat"/> is called on every progress message that is news, not a repeat (a caller's stall detection).</summary>
    public async Task<TransferResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, Action? heartbeat, CancellationToken cancellationToken = default)
    {
        var image = reference.ToString();
        var registry = RegistryName(reference);
        connection.Logger.Information("Pulling {Image}", image);
        var (tally, throttle, progress, errors) = Track("Pulling", image, heartbeat);
        try
        {
            await connection.RunAsync($"the pull of {image}", () => connection.Client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.Tag },
                RegistryAuth.ToAuthConfig(credentials, registry),
                progress,
                cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw Failure(registry, $"pull of {image}", EngineErrorBody.Message(exception.ResponseBody), exception, exception.StatusCode);
        }

        if (errors.Count > 0)
            throw Failure(registry, $"pull of {image}", errors[0], null);

        var result = new TransferResult(tally.Bytes, throttle.Elapsed);
        connection.Logger.Information("Pulled {Image} in {Duration:0.0} s ({Bytes} bytes received)", image, result.Duration.TotalSeconds, result.Bytes);
        return result;
    }

    /// <summary>The registry as users write it; Docker Hub when the reference names none.</summary>
    public static string RegistryName(ImageReference reference) => reference.Registry ?? "docker.io";

    private (LayerTally Tally, ProgressThrottle Throttle, IProgress<JSONMessage> Progress, List<string> Errors) Track(string verb, string image, Action? heartbeat)
    {
        var tally = new LayerTally();
        var throttle = new ProgressThrottle(connection.Time);
        var errors = new List<string>();
        var progress = new CallbackProgress<JSONMessage>(message =>
        {
            if (tally.Apply(message))
                heartbeat?.Invoke();
            if (message.Error?.Message is { Length: > 0 } error)
                errors.Add(error);
            // Byte-by-byte progress only feeds the tally and the periodic line; state changes go to Debug.
            if (message.Status is { Length: > 0 } status && status is not ("Pushing" or "Downloading" or "Extracting" or "Waiting"))
                connection.Logger.Debug("{Verb} {Image}: {Layer} {Status}", verb, image, message.ID ?? "", status);
            if (throttle.IsDue())
            {
                connection.Logger.Information(
                    "{Verb} {Image}: {Done}/{Layers} layers, {Bytes} bytes so far, {Elapsed:0} s",
                    verb, image, tally.LayersDone, tally.LayersSeen, tally.BytesSoFar, throttle.Elapsed.TotalSeconds);
            }
        });
        return (tally, throttle, progress, errors);
    }

    private static RegistryException Failure(string registry, string action, string message, Exception? inner, HttpStatusCode? status = null) =>
        RegistryErrors.Classify(registry, action, message, inner, status);
}
