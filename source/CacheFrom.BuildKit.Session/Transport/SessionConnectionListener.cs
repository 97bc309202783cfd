using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace CacheFrom.BuildKit.Session.Transport;

/// <summary>
/// Kestrel's transport for sessions: instead of accepting sockets, it hands Kestrel each
/// hijacked <c>/session</c> connection the session host queues. One listener serves every
/// session of the process.
/// </summary>
internal sealed class SessionConnectionListener : IConnectionListenerFactory, IConnectionListener
{
    private readonly Channel<ConnectionContext> _pending = Channel.CreateUnbounded<ConnectionContext>(
        new UnboundedChannelOptions { SingleReader = true });

    public EndPoint EndPoint { get; private set; } = SessionEndPoint.Instance;

    /// <summary>Hands a hijacked connection to Kestrel.</summary>
    public void Enqueue(SessionConnection connection)
    {
        if (!_pending.Writer.TryWrite(connection))
            throw new ObjectDisposedException(nameof(SessionConnectionListener), "The BuildKit session server has stopped.");
    }

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        EndPoint = endpoint;
        return ValueTask.FromResult<IConnectionListener>(this);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _pending.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _pending.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The address Kestrel "listens" on: sessions arrive through <see cref="SessionConnectionListener"/>, not a port.</summary>
internal sealed class SessionEndPoint : EndPoint
{
    public static readonly SessionEndPoint Instance = new();

    public override string ToString() => "buildkit-session";
}
