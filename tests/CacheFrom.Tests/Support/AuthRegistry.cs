using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CacheFrom.Configuration;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A private registry that needs a password: Debian's <c>docker-registry serve</c> with an
/// htpasswd file (<c>htpasswd -Bbn</c>), filesystem storage in a temp directory and a free
/// loopback port (the engine talks plain HTTP to 127.0.0.0/8). Disposing kills it and deletes
/// its storage.
/// </summary>
internal sealed class AuthRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private AuthRegistry(Process process, string directory, string address, string user, string password)
    {
        _process = process;
        _directory = directory;
        Address = address;
        User = user;
        Password = password;
    }

    /// <summary><c>127.0.0.1:PORT</c>: the registry host part of its image references.</summary>
    public string Address { get; }

    public string User { get; }

    public string Password { get; }

    public RegistryCredentials Credentials => new(User, Password);

    /// <summary>A repository no other test uses, e.g. <c>127.0.0.1:PORT/cachefrom-tests/NAME-1a2b3c4d</c>.</summary>
    public string UniqueRepository(string name) =>
        $"{Address}/cachefrom-tests/{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";

    public static async Task<AuthRegistry> StartAsync(string user = "cachefrom", string? password = null, CancellationToken cancellationToken = default)
    {
        password ??= "pw-" + Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-authregistry-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(directory, "data"));

        var htpasswd = await RunAsync("htpasswd", ["-Bbn", user, password], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "htpasswd"), htpasswd, cancellationToken);

        var port = FreePort();
        var address = $"127.0.0.1:{port}";
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
              delete:
                enabled: true
            http:
              addr: {address}
            auth:
              htpasswd:
                realm: cachefrom-tests
                path: {Path.Combine(directory, "htpasswd")}
            """, cancellationToken);

        var start = new ProcessStartInfo("docker-registry")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var registry = new AuthRegistry(process, directory, address, user, password);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
                break;
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

        await registry.DisposeAsync();
        string output;
        lock (log)
            output = log.ToString();
        throw new InvalidOperationException($"docker-registry with htpasswd auth did not answer at {address}: {output}");
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
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The registry may still hold a file for a moment; the temp directory is cleaned by the OS eventually.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {error}");
        return output;
    }
}
