using System.Diagnostics;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Certificates made with openssl for a TLS engine endpoint: a CA, a server certificate for
/// <c>IP:127.0.0.1</c> (also an expired one), a client certificate, and a second CA that signed
/// nothing of the engine's. <see cref="ClientDirectory"/> lays them out as DOCKER_CERT_PATH wants
/// them (ca.pem, cert.pem, key.pem). Disposing deletes them.
/// </summary>
internal sealed class TlsCertificates : IDisposable
{
    private TlsCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertificate => Path.Combine(Directory, "server-cert.pem");

    public string ServerKey => Path.Combine(Directory, "server-key.pem");

    public string ExpiredServerCertificate => Path.Combine(Directory, "expired-server-cert.pem");

    public string ExpiredServerKey => Path.Combine(Directory, "expired-server-key.pem");

    public string ClientCertificate => Path.Combine(Directory, "client-cert.pem");

    public string ClientKey => Path.Combine(Directory, "client-key.pem");

    /// <summary>A CA that signed nothing the engine presents.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    /// <summary>A client certificate signed by the other CA: the engine does not trust it.</summary>
    public string StrangerCertificate => Path.Combine(Directory, "stranger-cert.pem");

    public string StrangerKey => Path.Combine(Directory, "stranger-key.pem");

    public static async Task<TlsCertificates> CreateAsync(CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("cachefrom-tls-").FullName;
        var certificates = new TlsCertificates(directory);
        try
        {
            await certificates.MakeAsync(cancellationToken);
            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    /// <summary>A DOCKER_CERT_PATH folder: <paramref name="ca"/> as ca.pem, and cert.pem/key.pem when given.</summary>
    public string ClientDirectory(string name, string? ca = null, string? certificate = null, string? key = null)
    {
        var folder = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(folder);
        File.Copy(ca ?? CaFile, Path.Combine(folder, "ca.pem"), overwrite: true);
        if (certificate is not null)
            File.Copy(certificate, Path.Combine(folder, "cert.pem"), overwrite: true);
        if (key is not null)
            File.Copy(key, Path.Combine(folder, "key.pem"), overwrite: true);
        return folder;
    }

    /// <summary>The usual layout: this CA, the client certificate and its key.</summary>
    public string ClientDirectory() => ClientDirectory("client", CaFile, ClientCertificate, ClientKey);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp files.
        }
    }

    private async Task MakeAsync(CancellationToken cancellationToken)
    {
        await CaAsync("ca", "cachefrom-test-ca", cancellationToken);
        await CaAsync("other-ca", "cachefrom-other-ca", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(Directory, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(Directory, "client.ext"), "extendedKeyUsage=clientAuth\n", cancellationToken);

        await RequestAsync("server", "127.0.0.1", cancellationToken);
        await SignAsync("server", "ca", "server.ext", cancellationToken);
        await RequestAsync("client", "cachefrom-test-client", cancellationToken);
        await SignAsync("client", "ca", "client.ext", cancellationToken);
        await RequestAsync("stranger", "cachefrom-stranger", cancellationToken);
        await SignAsync("stranger", "other-ca", "client.ext", cancellationToken);

        // Expired: `openssl ca` is the tool that takes explicit dates.
        await RequestAsync("expired-server", "127.0.0.1", cancellationToken);
        var ca = Path.Combine(Directory, "ca-db");
        System.IO.Directory.CreateDirectory(ca);
        await File.WriteAllTextAsync(Path.Combine(ca, "index.txt"), "", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(ca, "serial"), "01\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(ca, "ca.cnf"), $"""
            [ca]
            default_ca = test
            [test]
            dir = {ca}
            database = $dir/index.txt
            serial = $dir/serial
            new_certs_dir = $dir
            default_md = sha256
            policy = any
            [any]
            commonName = supplied
            [server]
            subjectAltName = IP:127.0.0.1
            extendedKeyUsage = serverAuth
            """, cancellationToken);
        await OpenSslAsync(cancellationToken, "ca", "-batch", "-config", Path.Combine(ca, "ca.cnf"), "-extensions", "server",
            "-cert", CaFile, "-keyfile", Path.Combine(Directory, "ca-key.pem"), "-in", Path.Combine(Directory, "expired-server.csr"),
            "-out", ExpiredServerCertificate, "-startdate", "20200101000000Z", "-enddate", "20200102000000Z");
    }

    private Task CaAsync(string name, string subject, CancellationToken cancellationToken) =>
        OpenSslAsync(cancellationToken, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", Path.Combine(Directory, name + "-key.pem"), "-out", Path.Combine(Directory, name + ".pem"), "-days", "2",
            "-subj", "/CN=" + subject, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private Task RequestAsync(string name, string subject, CancellationToken cancellationToken) =>
        OpenSslAsync(cancellationToken, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", Path.Combine(Directory, name + "-key.pem"), "-out", Path.Combine(Directory, name + ".csr"), "-subj", "/CN=" + subject);

    private Task SignAsync(string name, string ca, string extensions, CancellationToken cancellationToken) =>
        OpenSslAsync(cancellationToken, "x509", "-req", "-in", Path.Combine(Directory, name + ".csr"), "-CA", Path.Combine(Directory, ca + ".pem"),
            "-CAkey", Path.Combine(Directory, ca + "-key.pem"), "-CAcreateserial", "-days", "2",
            "-extfile", Path.Combine(Directory, extensions), "-out", Path.Combine(Directory, name + "-cert.pem"));

    private static async Task OpenSslAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await output;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
    }
}
