using CacheFrom.BuildContext;
using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;
using CacheFrom.Fingerprints;

namespace CacheFrom.Tests.Support;

/// <summary>A throw-away build context the test fills file by file, and fingerprints computed on it without an engine.</summary>
internal sealed class ContextFolder : IDisposable
{
    public ContextFolder()
    {
        Directory = Path.Combine(Path.GetTempPath(), "cachefrom-index-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public ContextFolder Write(string relativePath, string content)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public ContextFolder Link(string relativePath, string target)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return this;
    }

    public ContextFolder Mode(string relativePath, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            Assert.Ignore("file modes are a Unix matter");
        else
            File.SetUnixFileMode(Path.Combine(Directory, relativePath), mode);
        return this;
    }

    public Task<ContextIndex> IndexAsync() => ContextIndex.BuildAsync(Directory, DockerIgnore.Load(Directory));

    /// <summary>Fingerprints of <paramref name="dockerfile"/> on this context; images default to one fixed digest each.</summary>
    public async Task<RunFingerprints> FingerprintAsync(string dockerfile, IReadOnlyDictionary<string, string>? buildArgs = null,
        IReadOnlyDictionary<string, ImageIdentity>? images = null, BuilderKind builder = BuilderKind.BuildKit)
    {
        var args = buildArgs ?? new Dictionary<string, string>();
        var parsed = DockerfileParser.ParseText(dockerfile, Path.Combine(Directory, "Dockerfile"), args);
        var index = await IndexAsync();
        var options = new FingerprintOptions(builder, "linux/amd64", args);
        var known = images ?? new Dictionary<string, ImageIdentity>();
        var first = Fingerprinter.Compute(parsed, options, index, known, DateTimeOffset.UnixEpoch);
        if (images is not null || first.MissingImages.Count == 0)
            return first;
        var resolved = first.MissingImages.ToDictionary(name => name, name => ImageIdentity.Resolved(name, FingerprintWriter.Of("image " + name), ImageIdentity.Registry));
        return Fingerprinter.Compute(parsed, options, index, resolved, DateTimeOffset.UnixEpoch);
    }

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
