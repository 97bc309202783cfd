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

    /// <summary>
    /// Answer plain-HTTP requests with <c>503 Service Unavailable</c> without asking the registry; a TLS
    /// client (the engine tries https first) is reset at once, as a plain-HTTP server would fail it.
    /// </summary>
    ServiceUnavailable,
}

/// <summary>
/// A TCP proxy on <c>127.0.0.1:PORT</c> in front of a registry, with switchable faults. The engine
/// treats any 127.0.0.0/8 registry as plain HTTP, so images named <c>{Address}/…</c> go through it.
/// The mode is read when a connection is accepted (and, for <see cref="FaultMode.Pass"/>
/// connections, never changes them). <see cref="HealAfter"/> makes the proxy itself switch back to
/// <see cref="FaultMode.Pass"/> after a number of faulted connections, so a test never races the
/// product to heal it. In front of the engine, <see cref="Answer"/> replaces the engine's answer
/// to one kind of request (Docker.DotNet opens one connection per request). Bounded: it stops
/// itself after <c>lifetime</c>, and disposing it closes every connection, so a stalled test cannot
/// hold sockets past its end.
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
    private readonly List<(string Method, string Path, string Response)> _answers = [];
    private readonly List<string> _faultedRequests = [];
    private FaultMode _mode;
    private int _healAfter;
    private int _connections;
    private int _faults;
    private int _answered;
    private long _bytesPerSecond;

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

    /// <summary>
    /// A slow link: each direction of every connection forwards at most this many bytes per second
    /// (0: as fast as it can). Read for every chunk, so a test can slow or free a running transfer.
    /// </summary>
    public long BytesPerSecond
    {
        get => Interlocked.Read(ref _bytesPerSecond);
        set => Interlocked.Exchange(ref _bytesPerSecond, value);
    }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections that got a fault (refusals are not seen, so not counted).</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>The requests (<c>METHOD /path</c>) answered with a 503, in order.</summary>
    public IReadOnlyList<string> FaultedRequests
    {
        get
        {
            lock (_gate)
                return [.. _faultedRequests];
        }
    }

    /// <summary>Requests that got an <see cref="Answer"/> instead of reaching the upstream.</summary>
    public int Answered => Volatile.Read(ref _answered);

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

    /// <summary>
    /// The next <paramref name="faults"/> faults happen; then the proxy switches itself to
    /// <see cref="FaultMode.Pass"/>, so exactly that many bite however fast the client retries.
    /// For <see cref="FaultMode.Reset"/> and <see cref="FaultMode.Stall"/> a fault is a connection
    /// (counted when accepted); for <see cref="FaultMode.ServiceUnavailable"/> it is a 503 answered
    /// (a reset TLS attempt is not counted).
    /// </summary>
    public void HealAfter(int faults)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(faults);
        lock (_gate)
            _healAfter = faults;
    }

    /// <summary>
    /// Answers requests <c>METHOD /vX.Y{path}</c> (query ignored) with <paramref name="response"/>
    /// (a whole HTTP/1.1 response) after reading their body, instead of forwarding them; every
    /// other request passes. For a proxy in front of the engine: an engine failure on demand.
    /// </summary>
    public void Answer(string method, string path, string response)
    {
        lock (_gate)
            _answers.Add((method, path, response));
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
            _ = HandleAsync(client, NextConnectionMode());
        }
    }

    private FaultMode NextConnectionMode()
    {
        lock (_gate)
        {
            var mode = _mode;
            var faulted = mode is FaultMode.Reset or FaultMode.Stall;
            if (faulted && _healAfter > 0)
            {
                _healAfter--;
                if (_healAfter == 0)
                    _mode = FaultMode.Pass; // this connection is the last one faulted
            }

            return mode;
        }
    }

    private async Task HandleAsync(Socket client, FaultMode mode)
    {
        try
        {
            // A request we answer ourselves never reaches the upstream; others go on with what was read of them.
            var received = Array.Empty<byte>();
            if (mode == FaultMode.ServiceUnavailable)
            {
                var peeked = new byte[1];
                if (await client.ReceiveAsync(peeked, SocketFlags.Peek, _stop.Token) == 0)
                    return;
                if (peeked[0] == 0x16)
                {
                    Abort(client); // a TLS ClientHello: no HTTP request will come
                    return;
                }

                var request = await HttpRequestHead.ReadAsync(client, _stop.Token);
                if (request is null)
                    return;
                if (TakeUnavailableFault())
                {
                    lock (_gate)
                        _faultedRequests.Add($"{request.Method} {request.ApiPath}");
                    await request.DrainBodyAsync(client, _stop.Token);
                    await AnswerUnavailableAsync(client);
                    return;
                }

                mode = FaultMode.Pass; // healed while this request was on its way
                received = request.Received;
            }
            else if (mode == FaultMode.Pass && AnswersSet())
            {
                var request = await HttpRequestHead.ReadAsync(client, _stop.Token);
                if (request is not null && AnswerFor(request) is { } response)
                {
                    await request.DrainBodyAsync(client, _stop.Token);
                    Interlocked.Increment(ref _answered);
                    await client.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, _stop.Token);
                    client.Shutdown(SocketShutdown.Both);
                    return;
                }

                received = request?.Received ?? [];
            }

            using var upstream = new Socket(
                _upstream.AddressFamily, SocketType.Stream, _upstream is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            Track(upstream);
            await upstream.ConnectAsync(_upstream, _stop.Token);
            if (received.Length > 0)
                await upstream.SendAsync(received, SocketFlags.None, _stop.Token);
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

    private async Task PumpAsync(Socket from, Socket to, ByteBudget budget, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var free = TimeSpan.Zero;
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
            if (BytesPerSecond is > 0 and var rate)
            {
                // Each chunk takes its share of the link after the previous one; idle time earns no burst.
                free = (free > clock.Elapsed ? free : clock.Elapsed) + TimeSpan.FromSeconds((double)allowed / rate);
                if (free - clock.Elapsed is { } due && due > TimeSpan.Zero)
                    await Task.Delay(due, cancellationToken);
            }
            if (allowed < read)
                return; // the budget ran out: the fault begins
        }
    }

    /// <summary>True when this request gets the 503 (counted as a fault); false once the proxy has healed.</summary>
    private bool TakeUnavailableFault()
    {
        lock (_gate)
        {
            if (_mode != FaultMode.ServiceUnavailable)
                return false;
            Interlocked.Increment(ref _faults);
            if (_healAfter > 0 && --_healAfter == 0)
                _mode = FaultMode.Pass;
            return true;
        }
    }

    private bool AnswersSet()
    {
        lock (_gate)
            return _answers.Count > 0;
    }

    private string? AnswerFor(HttpRequestHead request)
    {
        lock (_gate)
        {
            foreach (var (method, path, response) in _answers)
            {
                if (request.Method == method && request.ApiPath == path)
                    return response;
            }

            return null;
        }
    }

    private static async Task AnswerUnavailableAsync(Socket client)
    {
        const string Body = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable (fault injected)\"}]}";
        var response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
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
