using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A private <c>docker-registry serve</c> (distribution 2.8) on a free loopback port, for tests
/// that need a registry configured their own way: deletes off, or an <c>auth:</c> section (token
/// auth, htpasswd: <see cref="AuthRegistry"/>). Filesystem storage in a temp directory; disposing kills it and deletes the storage.
/// </summary>
internal sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private RegistryServer(Process process, StringBuilder log, string directory, string address)
    {
        _process = process;
        _log = log;
        Directory = directory;
        Address = address;
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>The registry's own temp directory (config, storage); tests may put files for its config here.</summary>
    public string Directory { get; }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>A repository no other test uses, e.g. <c>127.0.0.1:PORT/cachefrom-tests/NAME-1a2b3c4d</c>.</summary>
    public string UniqueRepository(string name) =>
        $"{Address}/cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Starts a registry. <paramref name="auth"/> gives the YAML under <c>auth:</c> (indented two spaces), or is null for none;
    /// it is given the registry's directory, where it may write the files its YAML names.
    /// </summary>
    public static async Task<RegistryServer> StartAsync(bool deleteEnabled = true, Func<string, string>? auth = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-registry-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        var address = $"127.0.0.1:{FreePort()}";
        var authSection = auth is null ? "" : "auth:\n" + auth(directory);
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
              delete:
                enabled: {(deleteEnabled ? "true" : "false")}
            http:
              addr: {address}

            """ + authSection, cancellationToken);

        var start = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var registry = new RegistryServer(process, log, directory, address);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri($"http://{address}/v2/"), cancellationToken);
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.OK)
                    return registry;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        var output = registry.Log;
        await registry.DisposeAsync();
        throw new InvalidOperationException($"docker-registry did not answer at {address}: {output}");
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
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The registry may still hold a file for a moment; the OS cleans temp eventually.
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
