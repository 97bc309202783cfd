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
        var operation = $"the save of {names}";
        long bytes = 0;
        Stream tar;
        try
        {
            tar = await connection.RunAsync(operation, () => connection.Client.Images.SaveImagesAsync([.. references], cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw new CacheFromException($"Could not save {names}: {EngineErrorBody.Message(exception.ResponseBody)}.", exception);
        }

        await using (tar.ConfigureAwait(false))
        {
            // A stalled engine must not outlive a cancel: closing the stream ends the read.
            await using var registration = cancellationToken.Register(tar.Dispose).ConfigureAwait(false);
            var buffer = new byte[BufferSize];
            while (true)
            {
                // Only reading is engine I/O; writing is the destination's (a full or read-only store says so itself).
                var read = await connection.RunAsync(operation, () => ReadAsync(tar, buffer, cancellationToken)).ConfigureAwait(false);
                if (read == 0)
                    break;
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                bytes += read;
                if (throttle.IsDue())
                    connection.Logger.Information("Saving {Images}: {Bytes} bytes so far, {Elapsed:0} s", names, bytes, throttle.Elapsed.TotalSeconds);
            }
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
        var counting = new CountingStream(new LocalReadStream(source));
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
            throw Refused(EngineErrorBody.Message(exception.ResponseBody), exception);
        }

        if (errors.Count > 0)
            throw Refused(errors[0], null);
        if (loaded.Count == 0)
            throw Refused("it loaded no image", null);

        var result = new TransferResult(counting.Count, throttle.Elapsed);
        connection.Logger.Information("Loaded {Images} in {Duration:0.0} s ({Bytes} bytes)", string.Join(", ", loaded), result.Duration.TotalSeconds, result.Bytes);
        return (loaded, result);
    }

    // The engine's verdict is not evidence against the file: a daemon out of disk answers the same way.
    private CacheFromException Refused(string engineMessage, Exception? inner) =>
        new($"The Docker engine at {connection.Endpoint} could not load the tarball: {engineMessage.TrimEnd('.')}.", inner);

    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Our cancel disposed the stream under the read; whatever the HTTP client throws then (even NotSupported) is that cancel.
            throw new OperationCanceledException("The read was cancelled.", exception, cancellationToken);
        }
    }
}
