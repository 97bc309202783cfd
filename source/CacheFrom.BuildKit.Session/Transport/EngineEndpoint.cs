using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace CacheFrom.BuildKit.Session.Transport;

/// <summary>
/// Where the engine listens, read the way docker reads it: the request's host, else
/// <c>DOCKER_HOST</c>, else the local unix socket. <c>tcp://</c> uses TLS when
/// <c>DOCKER_TLS_VERIFY</c> is set (certificates from <c>DOCKER_CERT_PATH</c>, else <c>~/.docker</c>).
/// </summary>
internal sealed class EngineEndpoint
{
    private const string DefaultUnixSocket = "/var/run/docker.sock";

    private EngineEndpoint(string display, string? socketPath, string? host, int port, bool tls, string? certificatePath)
    {
        Display = display;
        SocketPath = socketPath;
        Host = host;
        Port = port;
        Tls = tls;
        CertificatePath = certificatePath;
    }

    public string Display { get; }

    public string? SocketPath { get; }

    public string? Host { get; }

    public int Port { get; }

    public bool Tls { get; }

    public string? CertificatePath { get; }

    /// <summary>The value sent as the HTTP <c>Host</c> header.</summary>
    public string HostHeader => SocketPath is not null ? "docker" : $"{Host}:{Port}";

    public static EngineEndpoint Resolve(string? dockerHost, IReadOnlyDictionary<string, string?> environment)
    {
        var value = string.IsNullOrWhiteSpace(dockerHost) ? environment.GetValueOrDefault("DOCKER_HOST") : dockerHost;
        if (string.IsNullOrWhiteSpace(value))
            return new EngineEndpoint("unix://" + DefaultUnixSocket, DefaultUnixSocket, null, 0, tls: false, null);

        value = value.Trim();
        if (value.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["unix://".Length..];
            return new EngineEndpoint(value, path.Length == 0 ? DefaultUnixSocket : path, null, 0, tls: false, null);
        }

        if (value.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate("tcp://" + value["tcp://".Length..].TrimEnd('/'), UriKind.Absolute, out var uri)
            && uri.Host.Length > 0)
        {
            var tls = environment.GetValueOrDefault("DOCKER_TLS_VERIFY") is { Length: > 0 } verify && verify != "0";
            var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 2376 : 2375) : uri.Port;
            var certificates = environment.GetValueOrDefault("DOCKER_CERT_PATH") is { Length: > 0 } certPath
                ? certPath
                : Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
            return new EngineEndpoint(value, null, uri.Host, port, tls, tls ? certificates : null);
        }

        throw new DockerEngineUnavailableException(
            $"DOCKER_HOST '{value}' is not supported by the BuildKit session: use unix:///path/to/docker.sock or tcp://host:port.");
    }

    /// <summary>A fresh connection to the engine (the session hijacks it, so it is never shared).</summary>
    public async Task<Stream> ConnectAsync(CancellationToken cancellationToken = default)
    {
        Socket? socket = null;
        try
        {
            if (SocketPath is not null)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(Host!, Port, cancellationToken).ConfigureAwait(false);
            }

            Stream stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            if (Tls)
                stream = await AuthenticateAsync(stream, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            socket?.Dispose();
            throw new DockerEngineUnavailableException(
                $"Could not open a BuildKit session: no Docker engine answered at {Display} ({exception.Message}). Start the engine or set DOCKER_HOST.",
                exception);
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream stream, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions { TargetHost = Host };
        var ca = Path.Combine(CertificatePath!, "ca.pem");
        var cert = Path.Combine(CertificatePath!, "cert.pem");
        var key = Path.Combine(CertificatePath!, "key.pem");
        if (File.Exists(cert) && File.Exists(key))
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        if (File.Exists(ca))
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                    return false;
                if (errors == SslPolicyErrors.None)
                    return true;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                    && chain.Build(new X509Certificate2(certificate));
            };
        }

        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override string ToString() => Display;
}
