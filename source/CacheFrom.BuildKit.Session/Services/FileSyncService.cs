using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.BuildKit.Session.Protocol.FileSync;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>
/// The build context for BuildKit (<c>FileSync/DiffCopy</c>), as the docker CLI serves it: the
/// local directories <c>context</c> and <c>dockerfile</c>, narrowed by what the call asks for
/// (followpaths, include and exclude patterns) and by our ignore rules, so nothing else is sent.
/// </summary>
internal sealed class FileSyncService(SessionRegistry registry) : FileSync.FileSyncBase
{
    public override async Task DiffCopy(IAsyncStreamReader<Packet> requestStream, IServerStreamWriter<Packet> responseStream, ServerCallContext context)
    {
        var session = registry.Session(context);
        var request = SyncRequest.From(context.GetHttpContext().Request.Headers);
        if (!session.Directories.TryGetValue(request.DirectoryName, out var directory))
        {
            session.Logger.Warning("BuildKit asked for the local directory {Directory}, which this session does not serve", request.DirectoryName);
            throw new RpcException(new Status(StatusCode.NotFound, $"no access allowed to dir \"{request.DirectoryName}\""));
        }

        var record = new TransferRecord(directory.Name);
        session.Transfers.Enqueue(record);
        session.Logger.Debug(
            "BuildKit asked for {Directory} ({Root}): followpaths {FollowPaths}, include {Include}, exclude {Exclude}",
            directory.Name, directory.Root, request.FollowPaths, request.IncludePatterns, request.ExcludePatterns);
        try
        {
            var filter = SyncFilter.For(directory, request);
            var sender = new DiffCopySender(requestStream, responseStream, record);
            await sender.RunAsync(TreeWalker.Walk(directory.Root, filter, context.CancellationToken), context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            session.Logger.Warning("Sending {Directory} from {Root} to BuildKit failed: {Reason}", directory.Name, directory.Root, exception.Message);
            throw new RpcException(new Status(StatusCode.Internal, $"reading {directory.Name}: {exception.Message}"));
        }
        finally
        {
            record.Complete();
        }

        foreach (var failure in record.OpenFailures)
            session.Logger.Warning("A file of the build context could not be read and was sent empty: {Failure}", failure);
        var seconds = record.Elapsed.Elapsed.TotalSeconds;
        session.Logger.Debug(
            "Sent {Directory} to BuildKit: {Entries} entries, {Files} files, {Bytes} bytes in {Seconds:0.000} s ({MegabytesPerSecond:0.0} MB/s)",
            directory.Name, record.Stats.Count, record.Files, record.Bytes, seconds, seconds > 0 ? record.Bytes / 1e6 / seconds : 0);
    }
}
