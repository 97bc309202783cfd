using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// Runs the repository's documented Cake command, <c>dotnet cake build.cake …</c>, as a process from
/// the repository's root: the real cake.tool (restored from .config/dotnet-tools.json), the recipe
/// loaded from source, the real engine.
/// </summary>
internal static partial class CakeRunner
{
    public static string RepositoryRoot => RepositoryFiles.RootDirectory;

    /// <summary>The run record the sample script's run left (the engine's default report directory, under the root).</summary>
    public static string RunRecordPath => RunRecordFile.DefaultPath(RepositoryRoot);

    public static async Task RestoreToolsAsync()
    {
        var result = await RunAsync("dotnet", ["tool", "restore"]);
        if (result.ExitCode != 0)
            Assert.Fail($"dotnet tool restore exited {result.ExitCode}:{Environment.NewLine}{result.Output}");
    }

    public static Task<CakeResult> RunBuildAsync(params string[] arguments) =>
        RunAsync("dotnet", ["cake", "build.cake", .. arguments]);

    public static Task<CakeResult> RunBuildAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunAsync("dotnet", ["cake", "build.cake", .. arguments], environment);

    public static RunRecord ReadRunRecord() => RunRecordFile.Read(RunRecordPath);

    private static async Task<CakeResult> RunAsync(string fileName, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // A cached script would not notice a republished engine; colours would clutter the assertions.
        start.Environment["CAKE_SETTINGS_ENABLESCRIPTCACHE"] = "false";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var output = new List<string>();
        var gate = new Lock();
        void Collect(string? line)
        {
            if (line is null)
                return;
            line = Ansi().Replace(line, "");
            lock (gate)
                output.Add(line);
            TestContext.Progress.WriteLine(line);
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish within 8 minutes");
        }

        process.WaitForExit(); // drains the redirected streams
        lock (gate)
            return new CakeResult(process.ExitCode, string.Join(Environment.NewLine, output));
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}

internal sealed record CakeResult(int ExitCode, string Output);
