using System.Diagnostics;

namespace CacheFrom.Tests.Support;

/// <summary>
/// The docker CLI, used by tests to prepare the engine and to check results independently of
/// the code under test (the product itself never needs a CLI).
/// </summary>
internal static class DockerCli
{
    public static async Task<CliResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(TestEnvironment.DockerCliPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOCKER_BUILDKIT"] = "0";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker CLI did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and fails the test on a non-zero exit.</summary>
    public static async Task<string> CheckAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.ExitCode != 0)
            Assert.Fail($"docker {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Whether the engine keeps images in the containerd image store (Docker 29's default).</summary>
    public static async Task<bool> UsesContainerdStoreAsync() =>
        (await CheckAsync("info", "--format", "{{json .DriverStatus}}")).Contains("io.containerd.snapshotter", StringComparison.Ordinal);

    public static async Task<bool> ImageExistsAsync(string reference) =>
        (await RunAsync("image", "inspect", reference)).ExitCode == 0;
}

internal sealed record CliResult(int ExitCode, string StandardOutput, string StandardError);
