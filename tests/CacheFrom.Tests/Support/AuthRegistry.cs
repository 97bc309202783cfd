using System.Diagnostics;
using CacheFrom.Configuration;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A private registry that needs a password: a <see cref="RegistryServer"/> with an htpasswd file
/// (<c>htpasswd -Bbn</c>) on a loopback port (the engine talks plain HTTP to 127.0.0.0/8).
/// Disposing kills it and deletes its storage.
/// </summary>
internal sealed class AuthRegistry : IAsyncDisposable
{
    private readonly RegistryServer _server;

    private AuthRegistry(RegistryServer server, string user, string password)
    {
        _server = server;
        User = user;
        Password = password;
    }

    /// <summary><c>127.0.0.1:PORT</c>: the registry host part of its image references.</summary>
    public string Address => _server.Address;

    public string User { get; }

    public string Password { get; }

    public RegistryCredentials Credentials => new(User, Password);

    /// <inheritdoc cref="RegistryServer.UniqueRepository"/>
    public string UniqueRepository(string name) => _server.UniqueRepository(name);

    public static async Task<AuthRegistry> StartAsync(string user = "cachefrom", string? password = null, CancellationToken cancellationToken = default)
    {
        password ??= "pw-" + Guid.NewGuid().ToString("N")[..12];
        var htpasswd = await RunAsync("htpasswd", ["-Bbn", user, password], cancellationToken);
        var server = await RegistryServer.StartAsync(
            auth: directory =>
            {
                var file = Path.Combine(directory, "htpasswd");
                File.WriteAllText(file, htpasswd);
                return $"""
                      htpasswd:
                        realm: cachefrom-tests
                        path: {file}

                    """;
            },
            cancellationToken: cancellationToken);
        return new AuthRegistry(server, user, password);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

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
