namespace CacheFrom.Tests.Support;

/// <summary>
/// The dotnet tool as a user gets it: packed from source into a feed of its own, then installed
/// with <c>dotnet tool install</c> into a tool path. Each install gets a version of its own, so
/// NuGet's package cache can never hand back an older build of the same version.
/// </summary>
internal sealed class InstalledTool : IDisposable
{
    private InstalledTool(string directory, string executable)
    {
        Directory = directory;
        Executable = executable;
    }

    public string Directory { get; }

    /// <summary>The installed command, <c>TOOLPATH/cachefrom</c>.</summary>
    public string Executable { get; }

    public static async Task<InstalledTool> InstallAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-tool-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(directory, "feed");
        var toolPath = Path.Combine(directory, "bin");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";
        var project = Path.Combine(RepositoryFiles.RootDirectory, "source", "CacheFrom.Tool", "CacheFrom.Tool.csproj");

        var pack = await ProcessRunner.RunAsync("dotnet", ["pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}", "--nologo"], RepositoryFiles.RootDirectory, TimeSpan.FromMinutes(5));
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.Output);
        var install = await ProcessRunner.RunAsync(
            "dotnet", ["tool", "install", "CacheFrom.Tool", "--version", version, "--tool-path", toolPath, "--add-source", feed], directory, TimeSpan.FromMinutes(5));
        Assert.That(install.ExitCode, Is.EqualTo(0), install.Output);
        return new InstalledTool(directory, Path.Combine(toolPath, "cachefrom"));
    }

    public Task<ProcessResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        ProcessRunner.RunAsync(Executable, arguments, workingDirectory, TimeSpan.FromMinutes(8), environment);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException exception)
        {
            TestContext.Progress.WriteLine($"could not delete {Directory}: {exception.Message}");
        }
    }
}
