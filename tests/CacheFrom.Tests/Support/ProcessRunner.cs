using System.Diagnostics;
using System.Text;

namespace CacheFrom.Tests.Support;

/// <summary>Runs a process to its end, output and error interleaved as a terminal shows them.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        CleanEnvironment(start.Environment);
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{output}");
        }

        process.WaitForExit();
        lock (output)
            return new ProcessResult(process.ExitCode, output.ToString());
    }

    /// <summary>
    /// The host under test sees only what a test gives it: no DOCKER_IMAGE, DOCKER_CACHE … from the
    /// machine (every host reads them), and no telemetry. Docker's own variables stay.
    /// </summary>
    public static void CleanEnvironment(IDictionary<string, string?> environment)
    {
        string[] dockerOwn = ["DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "DOCKER_BUILDKIT", "DOCKER_CONTEXT"];
        foreach (var name in environment.Keys.ToList())
        {
            if ((name.StartsWith("DOCKER_", StringComparison.OrdinalIgnoreCase) && !dockerOwn.Contains(name, StringComparer.OrdinalIgnoreCase))
                || name.StartsWith("NUKE_", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(name);
            }
        }

        environment["NUKE_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
        TestContext.Progress.WriteLine(line);
    }
}

internal sealed record ProcessResult(int ExitCode, string Output);
