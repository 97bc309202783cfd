namespace CacheFrom.Tests.Support;

/// <summary>
/// A copy of the sample app (samples/webapp) in a temporary directory, with the base image
/// pinned and the slow steps shortened, so a test can change its files.
/// </summary>
internal sealed class SampleProject : IDisposable
{
    private SampleProject(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string DockerfilePath => Path.Combine(Directory, "Dockerfile");

    /// <summary>Copies the assets' sample; <paramref name="slowSeconds"/> is each slow step's sleep.</summary>
    public static SampleProject Create(int slowSeconds = 2, string asset = "webapp")
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-test-" + Guid.NewGuid().ToString("N")[..8]);
        CopyDirectory(Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", asset), directory);
        var project = new SampleProject(directory);
        project.Edit("Dockerfile", text => text
            .Replace("cachefrom/busybox:1.35.0", TestEnvironment.BaseImage, StringComparison.Ordinal)
            .Replace("ARG SLOW_SECONDS=3", $"ARG SLOW_SECONDS={slowSeconds}", StringComparison.Ordinal));
        return project;
    }

    public void Edit(string relativePath, Func<string, string> change)
    {
        var path = Path.Combine(Directory, relativePath);
        File.WriteAllText(path, change(File.Exists(path) ? File.ReadAllText(path) : ""));
    }

    /// <summary>An app change: only the last builder step and the final stage should rebuild.</summary>
    public void ChangeApp() => Edit("app/greeting.txt", text => text + "changed " + Guid.NewGuid() + "\n");

    /// <summary>A dependency change: the system-package step stays cached, the dependency step rebuilds.</summary>
    public void ChangeDependencies() => Edit("Gemfile.lock", text => text + "rake (13." + Random.Shared.Next(1000) + ")\n");

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

    private static void CopyDirectory(string source, string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
