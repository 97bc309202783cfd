using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// A Cake build as a user writes it, outside the repository: the recipe and the tool packed from
/// source with one version of their own into a feed, a NuGet.config naming that feed, cake.tool as
/// a local tool, and a build.cake that loads the recipe package (whose #tool line installs the tool).
/// </summary>
internal sealed class UserCakeProject : IDisposable
{
    private UserCakeProject(string directory, string version)
    {
        Directory = directory;
        Version = version;
    }

    public string Directory { get; }

    public string Version { get; }

    /// <summary>The run record the user's run left (the engine's default report directory, under the project).</summary>
    public string RunRecordPath => RunRecordFile.DefaultPath(Directory);

    /// <summary>Packs both packages and writes the project; <paramref name="buildScript"/> follows the #load line.</summary>
    public static async Task<UserCakeProject> CreateAsync(string buildScript)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-cake-user-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(directory, "feed");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";
        foreach (var project in new[] { "source/CacheFrom.Tool/CacheFrom.Tool.csproj", "source/CacheFrom.Cake/CacheFrom.Cake.csproj" })
        {
            var pack = await ProcessRunner.RunAsync(
                "dotnet", ["pack", Path.Combine(RepositoryFiles.RootDirectory, project), "-c", "Release", "-o", feed, $"-p:Version={version}", "--nologo"],
                RepositoryFiles.RootDirectory, TimeSpan.FromMinutes(5));
            Assert.That(pack.ExitCode, Is.EqualTo(0), pack.Output);
        }

        System.IO.Directory.CreateDirectory(Path.Combine(directory, ".config"));
        File.Copy(Path.Combine(RepositoryFiles.RootDirectory, ".config", "dotnet-tools.json"), Path.Combine(directory, ".config", "dotnet-tools.json"));
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="cachefrom" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "build.cake"),
            $"#load nuget:?package=CacheFrom.Cake&version={version}&include=./content/CacheFrom.cake\n\n{buildScript}");
        await CakeRunner.RestoreToolsAsync(directory);
        return new UserCakeProject(directory, version);
    }

    public Task<CakeResult> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        CakeRunner.RunScriptAsync(Directory, "build.cake", new CakeRunOptions { Environment = environment }, arguments);

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
