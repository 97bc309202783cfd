using CacheFrom.Docker.Connection;
using CacheFrom.Docker.Streams;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace CacheFrom.Docker.Images;

/// <summary><c>docker save</c> and <c>docker load</c>: images to and from a tarball stream.</summary>
internal sealed class ArchiveOperations(EngineConnection connection)
{
    private const int BufferSize = 1024 * 1024;

    public async Task<TransferResult> SaveAsync(IReadOnlyList<string> references, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(references.Count);
        var names = string.Join(", ", references);
        connection.Logger.Information("Saving {Images}", names);
        var throttle = new ProgressThrottle(connection.Time);
        long bytes = 0;
        try
        {
            await connection.RunAsync($"the save of {names}", async () =>
            {
                var tar = await connection.Client.Images.SaveImagesAsync([.. references], cancellationToken).ConfigureAwait(false);
                await using var _ = tar.ConfigureAwait(false);
                // A stalled engine must not outlive a cancel: closing the stream ends the read.
                await using var registration = cancellationToken.Register(tar.Dispose).ConfigureAwait(false);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await ReadAsync(tar, buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    bytes += read;
                    if (throttle.IsDue())
                        connection.Logger.Information("Saving {Images}: {Bytes} bytes so far, {Elapsed:0} s", names, bytes, throttle.Elapsed.TotalSeconds);
                }
            }).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw new CacheFromException($"Could not save {names}: {EngineErrorBody.Message(exception.ResponseBody)}.", exception);
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        var result = new TransferResult(bytes, throttle.Elapsed);
        connection.Logger.Information("Saved {Images} in {Duration:0.0} s ({Bytes} bytes)", names, result.Duration.TotalSeconds, result.Bytes);
        return result;
    }

    public async Task<(IReadOnlyList<string> Loaded, TransferResult Transfer)> LoadAsync(Stream source, CancellationToken cancellationToken = default)
    {
        connection.Logger.Information("Loading images from a tarball");
        var throttle = new ProgressThrottle(connection.Time);
        var counting = new CountingStream(source);
        var loaded = new List<string>();
        var errors = new List<string>();
        var progress = new CallbackProgress<JSONMessage>(message =>
        {
            if (message.Error?.Message is { Length: > 0 } error)
                errors.Add(error);
            foreach (var line in (message.Stream ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                connection.Logger.Debug("{Output}", line);
                if (line.StartsWith("Loaded image: ", StringComparison.Ordinal))
                    loaded.Add(line["Loaded image: ".Length..]);
                else if (line.StartsWith("Loaded image ID: ", StringComparison.Ordinal))
                    loaded.Add(line["Loaded image ID: ".Length..]);
            }

            if (throttle.IsDue())
                connection.Logger.Information("Loading: {Bytes} bytes sent, {Elapsed:0} s", counting.Count, throttle.Elapsed.TotalSeconds);
        });

        try
        {
            await connection.RunAsync("the load of a tarball", () => connection.Client.Images.LoadImageAsync(
                new ImageLoadParameters { Quiet = false },
                counting,
                progress,
                cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw Corrupt(EngineErrorBody.Message(exception.ResponseBody), exception);
        }

        if (errors.Count > 0)
            throw Corrupt(errors[0], null);
        if (loaded.Count == 0)
            throw Corrupt("the engine loaded no image from it", null);

        var result = new TransferResult(counting.Count, throttle.Elapsed);
        connection.Logger.Information("Loaded {Images} in {Duration:0.0} s ({Bytes} bytes)", string.Join(", ", loaded), result.Duration.TotalSeconds, result.Bytes);
        return (loaded, result);
    }

    private static CorruptTarballException Corrupt(string engineMessage, Exception? inner) =>
        new($"The tarball is not a loadable image archive (truncated or damaged?): {engineMessage}.", inner);

    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }
}
