using System.Reflection;
using CacheFrom.Tests.Support;

namespace CacheFrom.Nuke.Tests.Support;

/// <summary>
/// A repository in a temporary directory, as a user would have it: the sample app at its root, a
/// <c>.nuke</c> folder and <c>build/_build.csproj</c> whose <c>Build</c> inherits
/// <see cref="IDockerPublish"/> (package Nuke.Common, project CacheFrom.Nuke). Built once; each run
/// starts the built assembly with NUKE's arguments.
/// </summary>
internal sealed class TemporaryNukeRepository : IDisposable
{
    private const string BuildProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <RootNamespace></RootNamespace>
            <IsPackable>false</IsPackable>
            <NukeRootDirectory>..</NukeRootDirectory>
            <NukeScriptDirectory>..</NukeScriptDirectory>
            <NukeTelemetryVersion>1</NukeTelemetryVersion>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Nuke.Common" Version="10.1.0" />
            <ProjectReference Include="COMPONENTS_PROJECT" />
          </ItemGroup>
        </Project>
        """;

    private const string BuildClass = """
        using CacheFrom.Nuke;
        using Nuke.Common;

        class Build : NukeBuild, IDockerPublish
        {
            public static int Main() => Execute<Build>(x => ((IDockerPublish)x).DockerPublish);
        }
        """;

    private TemporaryNukeRepository(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string BuildAssembly => Path.Combine(Root, "build", "bin", "Debug", "_build.dll");

    /// <summary>Where the engine keeps the run record and the reports (.nuke/temp/cachefrom).</summary>
    public string ReportDirectory => Path.Combine(Root, ".nuke", "temp", "cachefrom");

    public string CacheDirectory => Path.Combine(Root, ".nuke", "temp", "docker-cache");

    /// <summary>Creates the repository and builds its build project (restores Nuke.Common from the configured sources).</summary>
    public static async Task<TemporaryNukeRepository> CreateAsync(int slowSeconds = 1)
    {
        var root = Path.Combine(Path.GetTempPath(), "cachefrom-nuke-test-" + Guid.NewGuid().ToString("N")[..8]);
        var repository = new TemporaryNukeRepository(root);
        CopyDirectory(Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "webapp"), root);
        repository.Edit("Dockerfile", text => text
            .Replace("cachefrom/busybox:1.35.0", TestEnvironment.BaseImage, StringComparison.Ordinal)
            .Replace("ARG SLOW_SECONDS=3", $"ARG SLOW_SECONDS={slowSeconds}", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(root, ".nuke"));
        Directory.CreateDirectory(Path.Combine(root, "build"));
        var components = typeof(TemporaryNukeRepository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CacheFromNukeProject").Value!;
        await File.WriteAllTextAsync(Path.Combine(root, "build", "_build.csproj"), BuildProject.Replace("COMPONENTS_PROJECT", components, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(root, "build", "Build.cs"), BuildClass);

        var build = await ProcessRunner.RunAsync(
            "dotnet", ["build", Path.Combine(root, "build", "_build.csproj"), "-nologo", "--verbosity", "quiet"], root, TimeSpan.FromMinutes(8));
        if (build.ExitCode != 0)
            Assert.Fail($"the temporary build project did not compile (exit {build.ExitCode}):{Environment.NewLine}{build.Output}");
        return repository;
    }

    /// <summary>Runs the build: <c>dotnet build/bin/Debug/_build.dll ARGS</c> from the repository's root.</summary>
    public Task<ProcessResult> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [BuildAssembly, .. arguments, "--no-logo", "--root", Root], Root, TimeSpan.FromMinutes(10));

    public void Edit(string relativePath, Func<string, string> change)
    {
        var path = Path.Combine(Root, relativePath);
        File.WriteAllText(path, change(File.Exists(path) ? File.ReadAllText(path) : ""));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException exception)
        {
            TestContext.Progress.WriteLine($"could not delete {Root}: {exception.Message}");
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
