using System.Threading.Channels;
using CacheFrom.BuildKit.Session.Protocol.FileSync;
using Google.Protobuf;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// The sending side of fsutil's DiffCopy: one STAT per entry in walk order and an empty STAT to
/// end the listing; the receiver then asks for the files it lacks with REQ (by the entry's index
/// in that listing), gets each as DATA chunks closed by an empty DATA, and ends with FIN, which
/// is answered with FIN. An ERR from either side ends the call.
/// </summary>
internal sealed class DiffCopySender(IAsyncStreamReader<Packet> incoming, IServerStreamWriter<Packet> outgoing, TransferRecord record)
{
    /// <summary>Like fsutil's buffer: BuildKit's receiver copies each chunk as it comes.</summary>
    internal const int ChunkSize = 32 * 1024;

    // Chunks are written without a flush in between; every so often one flushes, so a large file
    // meets the connection's back-pressure instead of piling up in memory.
    private const int ChunksPerFlush = 32;

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    public async Task RunAsync(IEnumerable<WalkEntry> entries, CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requests = Channel.CreateUnbounded<uint>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var receiving = ReceiveAsync(requests.Writer, stop.Token);
        try
        {
            var files = await SendStatsAsync(entries, stop.Token).ConfigureAwait(false);
            await foreach (var id in requests.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (!files.Remove(id, out var file))
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid file id {id}"));
                await SendFileAsync(id, file, stop.Token).ConfigureAwait(false);
            }

            await receiving.ConfigureAwait(false);
            await WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketFin }, flush: true).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !receiving.IsFaulted)
        {
            await TrySendErrorAsync(exception.Message).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await receiving.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or RpcException or InvalidOperationException)
            {
                // The call is over; the first failure has been thrown already.
            }
        }
    }

    private async Task<Dictionary<uint, string>> SendStatsAsync(IEnumerable<WalkEntry> entries, CancellationToken cancellationToken)
    {
        var files = new Dictionary<uint, string>();
        uint id = 0;
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketStat, Stat = entry.Stat }, flush: false).ConfigureAwait(false);
            record.Stats.Enqueue(entry.Stat.Path);
            if (entry.HasData)
                files[id] = entry.FullPath;
            id++;
        }

        await WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketStat }, flush: true).ConfigureAwait(false);
        return files;
    }

    private async Task ReceiveAsync(ChannelWriter<uint> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await incoming.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var packet = incoming.Current;
                switch (packet.Type)
                {
                    case Packet.Types.PacketType.PacketReq:
                        requests.TryWrite(packet.ID);
                        break;
                    case Packet.Types.PacketType.PacketFin:
                        requests.TryComplete();
                        return;
                    case Packet.Types.PacketType.PacketErr:
                        throw new RpcException(new Status(StatusCode.Aborted, $"error from receiver: {packet.Data.ToStringUtf8()}"));
                }
            }

            throw new RpcException(new Status(StatusCode.Aborted, "the receiver ended the stream before FIN"));
        }
        catch (Exception exception)
        {
            requests.TryComplete(exception);
            throw;
        }
    }

    private async Task SendFileAsync(uint id, string path, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // As fsutil: a file that vanished or cannot be opened is sent empty; BuildKit then sees its size disagree.
            record.OpenFailures.Enqueue($"{path}: {exception.Message}");
        }

        if (stream is not null)
        {
            await using (stream.ConfigureAwait(false))
            {
                var chunks = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    var packet = new Packet { Type = Packet.Types.PacketType.PacketData, ID = id, Data = ByteString.CopyFrom(buffer, 0, read) };
                    await WriteAsync(packet, flush: ++chunks % ChunksPerFlush == 0).ConfigureAwait(false);
                    record.AddBytes(read);
                }
            }
        }

        await WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketData, ID = id }, flush: true).ConfigureAwait(false);
        record.AddFile(path);
    }

    private Task WriteAsync(Packet packet, bool flush)
    {
        outgoing.WriteOptions = flush ? null : Buffered;
        return outgoing.WriteAsync(packet);
    }

    private async Task TrySendErrorAsync(string message)
    {
        try
        {
            await WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketErr, Data = ByteString.CopyFromUtf8(message) }, flush: true).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or RpcException or OperationCanceledException)
        {
            // The stream is already broken; the exception that got us here says why.
        }
    }
}
