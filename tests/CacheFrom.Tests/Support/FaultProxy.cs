using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CacheFrom.Tests.Support;

/// <summary>What the <see cref="FaultProxy"/> does with the next connection.</summary>
internal enum FaultMode
{
    /// <summary>Forward both ways, untouched.</summary>
    Pass,

    /// <summary>Nothing listens: the kernel refuses the connection.</summary>
    Refuse,

    /// <summary>Forward <see cref="FaultProxy.FaultAfterBytes"/> bytes (both directions together), then reset both sides (RST).</summary>
    Reset,

    /// <summary>Forward <see cref="FaultProxy.FaultAfterBytes"/> bytes, then stop forwarding and hold the connection open.</summary>
    Stall,

    /// <summary>Answer every request with <c>503 Service Unavailable</c> without asking the registry.</summary>
    ServiceUnavailable,
}

/// <summary>
/// A TCP proxy on <c>127.0.0.1:PORT</c> in front of a registry, with switchable faults. The engine
/// treats any 127.0.0.0/8 registry as plain HTTP, so images named <c>{Address}/…</c> go through it.
/// The mode is read when a connection is accepted (and, for <see cref="FaultMode.Pass"/>
/// connections, never changes them). Bounded: it stops itself after <c>lifetime</c>, and
/// disposing it closes every connection, so a stalled test cannot hold sockets past its end.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly EndPoint _upstream;
    private readonly CancellationTokenSource _stop;
    private readonly List<Socket> _sockets = [];
    private readonly Lock _gate = new();
    private readonly int _port;
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private FaultMode _mode;
    private int _connections;
    private int _faults;

    private FaultProxy(EndPoint upstream, TimeSpan lifetime)
    {
        _upstream = upstream;
        _stop = new CancellationTokenSource(lifetime);
        _port = FreePort();
        Address = $"127.0.0.1:{_port}";
    }

    /// <summary><c>127.0.0.1:PORT</c>: use it as the registry host of image references.</summary>
    public string Address { get; }

    /// <summary>Bytes a <see cref="FaultMode.Reset"/> or <see cref="FaultMode.Stall"/> connection forwards before the fault.</summary>
    public long FaultAfterBytes { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections that got a fault (refusals are not seen, so not counted).</summary>
    public int Faults => Volatile.Read(ref _faults);

    public FaultMode Mode
    {
        get
        {
            lock (_gate)
                return _mode;
        }
        set
        {
            lock (_gate)
            {
                _mode = value;
                // Refusing means nobody listens; any other mode needs the listener back on the same port.
                if (value == FaultMode.Refuse)
                    StopListening();
                else if (_listener is null)
                    StartListening();
            }
        }
    }

    /// <summary>
    /// A proxy to <paramref name="upstream"/> (<c>host:port</c>, or <c>unix:///path.sock</c> to put it in front of
    /// the engine itself), in <paramref name="mode"/>, for at most <paramref name="lifetime"/> (default 2 minutes).
    /// </summary>
    public static FaultProxy Start(string upstream, FaultMode mode = FaultMode.Pass, TimeSpan? lifetime = null)
    {
        EndPoint endpoint = upstream.StartsWith("unix://", StringComparison.Ordinal)
            ? new UnixDomainSocketEndPoint(upstream["unix://".Length..])
            : IPEndPoint.Parse(upstream);
        var proxy = new FaultProxy(endpoint, lifetime ?? TimeSpan.FromMinutes(2));
        proxy.Mode = mode;
        return proxy;
    }

    /// <summary>Resets every open connection (RST), as a peer that crashed would.</summary>
    public void DropAll()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
                Abort(socket);
            _sockets.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_gate)
        {
            StopListening();
            foreach (var socket in _sockets)
                Abort(socket);
            _sockets.Clear();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping is what ends the loop.
        }

        _stop.Dispose();
    }

    private void StartListening()
    {
        if (_stop.IsCancellationRequested)
            return;
        var listener = new TcpListener(IPAddress.Loopback, _port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _acceptLoop = AcceptAsync(listener);
    }

    private void StopListening()
    {
        _listener?.Stop();
        _listener = null;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // stopped: refusing, or disposed
            }

            Interlocked.Increment(ref _connections);
            Track(client);
            _ = HandleAsync(client, Mode);
        }
    }

    private async Task HandleAsync(Socket client, FaultMode mode)
    {
        try
        {
            if (mode == FaultMode.ServiceUnavailable)
            {
                Interlocked.Increment(ref _faults);
                await AnswerUnavailableAsync(client);
                return;
            }

            using var upstream = new Socket(
                _upstream.AddressFamily, SocketType.Stream, _upstream is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            Track(upstream);
            await upstream.ConnectAsync(_upstream, _stop.Token);
            var limit = mode is FaultMode.Reset or FaultMode.Stall ? FaultAfterBytes : long.MaxValue;
            var budget = new ByteBudget(limit);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client, upstream, budget, connection.Token);
            var down = PumpAsync(upstream, client, budget, connection.Token);
            // Each direction ends on its own (a request sent, a response read); a tripped budget ends both.
            var first = await Task.WhenAny(up, down);
            if (!budget.Tripped)
                await (first == up ? down : up);
            if (budget.Tripped)
            {
                Interlocked.Increment(ref _faults);
                if (mode == FaultMode.Reset)
                {
                    Abort(client);
                    Abort(upstream);
                    return;
                }

                // Stall: the client waits for bytes that never come, until it gives up or the proxy stops.
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await connection.CancelAsync();
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // A connection ending, one way or another, is what this proxy is for.
        }
        finally
        {
            Close(client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, ByteBudget budget, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            var allowed = budget.Take(read);
            if (allowed > 0)
                await to.SendAsync(buffer.AsMemory(0, allowed), SocketFlags.None, cancellationToken);
            if (allowed < read)
                return; // the budget ran out: the fault begins
        }
    }

    private static async Task AnswerUnavailableAsync(Socket client)
    {
        // Read the request head so the client sees an answer, not a reset; the body (if any) is left unread.
        var buffer = new byte[8192];
        var head = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
                return;
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        const string Body = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable (fault injected)\"}]}";
        var response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}";
        await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Both);
    }

    private void Track(Socket socket)
    {
        lock (_gate)
            _sockets.Add(socket);
    }

    // RST instead of FIN: the peer sees "connection reset by peer".
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Bytes one connection may still forward, shared by both directions.</summary>
    private sealed class ByteBudget(long limit)
    {
        private long _left = limit;
        private int _tripped;

        /// <summary>True once a direction wanted more than was left: the fault has begun.</summary>
        public bool Tripped => Volatile.Read(ref _tripped) != 0;

        public int Take(int wanted)
        {
            while (true)
            {
                var left = Interlocked.Read(ref _left);
                var granted = (int)Math.Min(wanted, Math.Max(left, 0));
                if (Interlocked.CompareExchange(ref _left, left - granted, left) != left)
                    continue;
                if (granted < wanted)
                    Volatile.Write(ref _tripped, 1);
                return granted;
            }
        }
    }
}
