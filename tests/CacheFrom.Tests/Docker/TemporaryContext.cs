using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>A throw-away build context with a Dockerfile the test writes (e.g. a failing one) on the pinned base image.</summary>
internal sealed class TemporaryContext : IDisposable
{
    public TemporaryContext(string dockerfile)
    {
        Directory = Path.Combine(Path.GetTempPath(), "cachefrom-ctx-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(DockerfilePath, dockerfile.Replace("BASE", TestEnvironment.BaseImage, StringComparison.Ordinal));
    }

    public string Directory { get; }

    public string DockerfilePath => Path.Combine(Directory, "Dockerfile");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
