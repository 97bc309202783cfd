using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A TLS endpoint in front of the test engine's unix socket, as <c>dockerd --tlsverify</c> would
/// serve it: <c>socat openssl-listen:PORT,…,verify=1,fork unix-connect:SOCKET</c> on a free
/// loopback port, demanding a client certificate signed by <see cref="TlsCertificates.CaFile"/>
/// (or none, with <c>requireClientCertificate: false</c>); or a plain tcp endpoint. Disposing stops socat.
/// </summary>
internal sealed class TlsEngineProxy : IAsyncDisposable
{
    private readonly Process _process;

    private TlsEngineProxy(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>tcp://127.0.0.1:PORT</c>.</summary>
    public string Host => $"tcp://127.0.0.1:{Port}";

    public static async Task<TlsEngineProxy> StartAsync(
        TlsCertificates certificates,
        string? certificate = null,
        string? key = null,
        bool requireClientCertificate = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var port = FreePort();
        var listen = $"openssl-listen:{port},bind=127.0.0.1,reuseaddr,fork,cert={certificate ?? certificates.ServerCertificate},"
            + $"key={key ?? certificates.ServerKey},cafile={certificates.CaFile},verify={(requireClientCertificate ? 1 : 0)}";
        return await StartAsync(port, listen, cancellationToken);
    }

    /// <summary>A plain tcp endpoint in front of the engine (<c>dockerd -H tcp://…:2375</c>).</summary>
    public static Task<TlsEngineProxy> StartPlainAsync(CancellationToken cancellationToken = default)
    {
        var port = FreePort();
        return StartAsync(port, $"tcp-listen:{port},bind=127.0.0.1,reuseaddr,fork", cancellationToken);
    }

    private static async Task<TlsEngineProxy> StartAsync(int port, string listen, CancellationToken cancellationToken)
    {
        var socket = EngineSocket();
        var start = new ProcessStartInfo("socat") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(listen);
        start.ArgumentList.Add("unix-connect:" + socket);
        var process = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
                TestContext.Progress.WriteLine("[socat] " + line);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var proxy = new TlsEngineProxy(process, port);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
                break;
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return proxy;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        await proxy.DisposeAsync();
        throw new InvalidOperationException($"socat did not listen on 127.0.0.1:{port} ({listen})");
    }

    /// <summary>The test engine's socket (scripts/engines.sh env), which socat is put in front of.</summary>
    public static string EngineSocket() => TestEnvironment.DockerSocketPath;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
