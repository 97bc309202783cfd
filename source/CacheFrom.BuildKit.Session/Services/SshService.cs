using System.Net.Sockets;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Protocol.Ssh;
using Google.Protobuf;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>
/// <c>RUN --mount=type=ssh</c>: each ForwardAgent call is one connection to the user's
/// ssh-agent; the agent protocol's bytes are copied both ways unchanged.
/// </summary>
internal sealed class SshService(SessionRegistry registry) : SSH.SSHBase
{
    internal const string DefaultId = "default";
    private const string IdMetadataKey = "buildkit.ssh.id";

    public override Task<CheckAgentResponse> CheckAgent(CheckAgentRequest request, ServerCallContext context)
    {
        var session = registry.Session(context);
        Socket(session, string.IsNullOrEmpty(request.ID) ? DefaultId : request.ID);
        return Task.FromResult(new CheckAgentResponse());
    }

    public override async Task ForwardAgent(IAsyncStreamReader<BytesMessage> requestStream, IServerStreamWriter<BytesMessage> responseStream, ServerCallContext context)
    {
        var session = registry.Session(context);
        var id = context.RequestHeaders.GetValue(IdMetadataKey) is { Length: > 0 } value ? value : DefaultId;
        var path = Socket(session, id);

        using var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await agent.ConnectAsync(new UnixDomainSocketEndPoint(path), context.CancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            session.Logger.Warning("Could not reach the ssh-agent at {Socket} for ssh id {SshId}: {Reason}", path, id, exception.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, $"ssh-agent for id {id} is not reachable: {exception.Message}"));
        }

        session.Logger.Debug("Forwarding ssh-agent {Socket} for ssh id {SshId}", path, id);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var toAgent = CopyToAgentAsync(requestStream, agent, stop.Token);
        var fromAgent = CopyFromAgentAsync(agent, responseStream, stop.Token);
        var first = await Task.WhenAny(toAgent, fromAgent).ConfigureAwait(false);
        if (first == toAgent && toAgent.IsCompletedSuccessfully)
        {
            // BuildKit is done asking; the agent answers what it has and then closes.
            await Task.WhenAny(fromAgent, Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken)).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(toAgent, fromAgent).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or InvalidOperationException)
        {
            // One side ended, the other was stopped: the forwarding is over either way.
        }
    }

    private static async Task CopyToAgentAsync(IAsyncStreamReader<BytesMessage> requestStream, Socket agent, CancellationToken cancellationToken)
    {
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            await agent.SendAsync(requestStream.Current.Data.Memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        agent.Shutdown(SocketShutdown.Send);
    }

    private static async Task CopyFromAgentAsync(Socket agent, IServerStreamWriter<BytesMessage> responseStream, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var read = await agent.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return;
            await responseStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Socket(SessionState session, string id)
    {
        if (session.SshSockets.TryGetValue(id, out var path))
            return path;
        session.Logger.Warning("The build asked for ssh id {SshId}, which was not forwarded: pass docker-ssh {SshId} (or {SshId}=/path/to/agent.sock)", id, id, id);
        throw new RpcException(new Status(StatusCode.NotFound, $"no ssh agent forwarded for id {id}: pass docker-ssh {id}"));
    }
}
