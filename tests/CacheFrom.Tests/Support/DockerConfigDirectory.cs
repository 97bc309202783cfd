using System.Text.Json;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A Docker config directory of the test's own (DOCKER_CONFIG) with a config.json and small
/// credential helpers: shell scripts named <c>docker-credential-NAME</c> in a bin folder the
/// test puts first on PATH (<see cref="OnPath"/>). Each helper keeps what it read on stdin in
/// <c>NAME.stdin</c>, so a test can check the server address docker would have sent. Disposing
/// deletes it all.
/// </summary>
internal sealed class DockerConfigDirectory : IDisposable
{
    private DockerConfigDirectory(string root)
    {
        Directory = Path.Combine(root, "config");
        Bin = Path.Combine(root, "bin");
        System.IO.Directory.CreateDirectory(Directory);
        System.IO.Directory.CreateDirectory(Bin);
        Root = root;
    }

    /// <summary>What DOCKER_CONFIG points at.</summary>
    public string Directory { get; }

    public string Bin { get; }

    private string Root { get; }

    /// <summary>An environment for <c>DockerConfigCredentials.Find</c>: only DOCKER_CONFIG.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Directory };

    public static DockerConfigDirectory Create() => new(System.IO.Directory.CreateTempSubdirectory("cachefrom-dockerconfig-").FullName);

    /// <summary>A helper name no other test uses.</summary>
    public static string UniqueHelperName(string name) => $"cachefrom-{name}-{Guid.NewGuid().ToString("N")[..6]}";

    public void WriteConfig(object config) =>
        File.WriteAllText(Path.Combine(Directory, "config.json"), JsonSerializer.Serialize(config));

    /// <summary>A helper that answers <paramref name="username"/> and <paramref name="secret"/> for any server.</summary>
    public void AnsweringHelper(string name, string username, string secret) =>
        Helper(name, $$"""
            server=$(cat)
            printf '%s' "$server" > "$0.stdin"
            printf '{"ServerURL":"%s","Username":"{{username}}","Secret":"{{secret}}"}\n' "$server"
            """);

    /// <summary>A helper that has nothing for any server, as the docker-credential-helpers library says it.</summary>
    public void EmptyHelper(string name) =>
        Helper(name, """
            server=$(cat)
            printf '%s' "$server" > "$0.stdin"
            echo "credentials not found in native keychain"
            exit 1
            """);

    /// <summary>A helper script with <paramref name="body"/> (sh).</summary>
    public void Helper(string name, string body)
    {
        var path = Path.Combine(Bin, "docker-credential-" + name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>What helper <paramref name="name"/> last read on stdin; null when it never ran.</summary>
    public string? StdinOf(string name)
    {
        var path = Path.Combine(Bin, "docker-credential-" + name + ".stdin");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>Puts the helpers first on PATH (and DOCKER_CONFIG on this directory) until disposed.</summary>
    public IDisposable OnPath() => new Overrides(
        new EnvironmentOverride("PATH", Bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH")),
        new EnvironmentOverride("DOCKER_CONFIG", Directory));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp files.
        }
    }

    private sealed class Overrides(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts.Reverse())
                part.Dispose();
        }
    }
}
