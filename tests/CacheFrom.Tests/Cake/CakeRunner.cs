using System.Diagnostics;
using System.Text.RegularExpressions;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// Runs Cake as a user does, <c>dotnet cake SCRIPT …</c>, as a process: the real cake.tool (restored
/// from .config/dotnet-tools.json), the real cachefrom tool, the real engine. By default the
/// repository's documented command, <c>dotnet cake build.cake</c> from the repository's root.
/// </summary>
internal static partial class CakeRunner
{
    public static string RepositoryRoot => RepositoryFiles.RootDirectory;

    /// <summary>The run record build.cake's run left (the engine's default report directory, under the root).</summary>
    public static string RunRecordPath => RunRecordFile.DefaultPath(RepositoryRoot);

    public static async Task RestoreToolsAsync(string? directory = null)
    {
        var result = await RunAsync(directory ?? RepositoryRoot, ["tool", "restore"], new CakeRunOptions());
        if (result.ExitCode != 0)
            Assert.Fail($"dotnet tool restore exited {result.ExitCode}:{Environment.NewLine}{result.Output}");
    }

    public static Task<CakeResult> RunBuildAsync(params string[] arguments) => RunBuildAsync(new CakeRunOptions(), arguments);

    public static Task<CakeResult> RunBuildAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunBuildAsync(new CakeRunOptions { Environment = environment }, arguments);

    public static Task<CakeResult> RunBuildAsync(CakeRunOptions options, params string[] arguments) =>
        RunAsync(RepositoryRoot, ["cake", "build.cake", .. arguments], options);

    /// <summary><c>dotnet cake SCRIPT ARGUMENTS</c> in <paramref name="directory"/>.</summary>
    public static Task<CakeResult> RunScriptAsync(string directory, string script, CakeRunOptions options, params string[] arguments) =>
        RunAsync(directory, ["cake", script, .. arguments], options);

    public static RunRecord ReadRunRecord() => RunRecordFile.Read(RunRecordPath);

    private static async Task<CakeResult> RunAsync(string directory, string[] arguments, CakeRunOptions options)
    {
        // In a process group of its own (setsid), a test can send Ctrl+C to Cake and its children
        // as a terminal does, without reaching the test runner.
        var start = options.OwnProcessGroup ? new ProcessStartInfo("setsid") : new ProcessStartInfo("dotnet");
        if (options.OwnProcessGroup)
        {
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add("dotnet");
        }

        start.WorkingDirectory = directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        ProcessRunner.CleanEnvironment(start.Environment);
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var output = new List<string>();
        var gate = new Lock();
        using var process = new Process { StartInfo = start };
        void Collect(string? line)
        {
            if (line is null)
                return;
            line = Ansi().Replace(line, "");
            lock (gate)
                output.Add(line);
            TestContext.Progress.WriteLine(line);
            options.OnLine?.Invoke(line, process.Id);
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.StandardInput.Close();
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
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish within 8 minutes");
        }

        process.WaitForExit(); // drains the redirected streams
        lock (gate)
            return new CakeResult(process.ExitCode, string.Join(Environment.NewLine, output), process.Id);
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}

internal sealed class CakeRunOptions
{
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Start Cake as the leader of a new process group (its id is the process id).</summary>
    public bool OwnProcessGroup { get; init; }

    /// <summary>Called with each line of output and the process id, as the line arrives.</summary>
    public Action<string, int>? OnLine { get; init; }
}

internal sealed record CakeResult(int ExitCode, string Output, int ProcessId);
