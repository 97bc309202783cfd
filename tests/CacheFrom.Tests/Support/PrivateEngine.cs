using System.Diagnostics;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A test engine of a test's own: scripts/engines.sh with its own state root in a temp directory,
/// slot 19 (kept for this; people and sessions use 0-9) and no registry, so the test can kill and restart it without disturbing the engine the
/// rest of the suite shares. Disposing removes it (engines, mounts, state), also after a failure.
/// </summary>
internal sealed class PrivateEngine : IAsyncDisposable
{
    private const string Slot = "19";

    // The slot's bridges and subnets are machine-wide: one private instance at a time, across test runs.
    private static readonly string SlotLockPath = Path.Combine(Path.GetTempPath(), $"cachefrom-engines-slot-{Slot}.lock");

    private readonly FileStream _slotLock;
    private readonly string _directory;

    private PrivateEngine(FileStream slotLock, string directory, string name)
    {
        _slotLock = slotLock;
        _directory = directory;
        Name = name;
    }

    /// <summary>d20, d26 or d26c.</summary>
    public string Name { get; }

    /// <summary>Its endpoint, <c>unix:///tmp/cachefrom-own-…/NAME/docker.sock</c>.</summary>
    public string Host { get; private set; } = "";

    public static async Task<PrivateEngine> StartAsync(string name, CancellationToken cancellationToken = default)
    {
        var slotLock = await TakeSlotAsync(cancellationToken);
        // Short: the engine's socket path must fit a unix socket address (108 bytes).
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-own-" + Guid.NewGuid().ToString("N")[..8]);
        var engine = new PrivateEngine(slotLock, directory, name);
        try
        {
            await engine.StartOrRestartAsync(cancellationToken);
            var environment = await engine.ScriptAsync(["env", name], cancellationToken);
            engine.Host = environment.Split('\n')
                .Select(line => line.Trim())
                .Single(line => line.StartsWith("export DOCKER_HOST=", StringComparison.Ordinal))["export DOCKER_HOST=".Length..];
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Kills the engine's dockerd by its pid with SIGKILL, as a crash or an OOM kill would, and
    /// returns once the process is gone. Its containerd lives on, as a system containerd would.
    /// </summary>
    public async Task<int> KillAsync(CancellationToken cancellationToken = default)
    {
        var pid = int.Parse((await ScriptAsync(["pid", Name], cancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(pid))
            process.Kill();
        while (IsRunning(pid))
            await Task.Delay(50, cancellationToken);
        return pid;
    }

    /// <summary>Starts the engine again on the same state (what a supervisor restarting dockerd does).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default) => await StartOrRestartAsync(cancellationToken);

    /// <summary>The docker CLI against this engine.</summary>
    public Task<string> CheckAsync(params string[] arguments) => DockerCli.CheckAsync(["-H", Host, .. arguments]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Not the test's token: a cancelled test still removes its engine.
            await ScriptAsync(["remove"], CancellationToken.None);
        }
        finally
        {
            await _slotLock.DisposeAsync();
        }
    }

    private async Task StartOrRestartAsync(CancellationToken cancellationToken) => await ScriptAsync(["start", Name], cancellationToken);

    private async Task<string> ScriptAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryFiles.RootDirectory, "scripts", "engines.sh"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["CACHEFROM_ENGINES_DIR"] = _directory;
        start.Environment["CACHEFROM_ENGINES_SLOT"] = Slot;
        start.Environment["CACHEFROM_ENGINES_REGISTRY"] = "off";
        start.Environment.Remove("CACHEFROM_ENGINES");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var error = await stderr;
        TestContext.Progress.Write(error);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/engines.sh {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
        return await stdout;
    }

    private static async Task<FileStream> TakeSlotAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Linux: held until disposed, released if the process dies.
                return new FileStream(SlotLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                TestContext.Progress.WriteLine($"waiting for {SlotLockPath}: another test runs an engine of its own in slot {Slot}");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        // A zombie (state Z) has exited; it only waits to be reaped by whichever process adopted it.
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
