using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;
using CacheFrom.Lint;

namespace CacheFrom.Tests.Support;

/// <summary>A build context in a temporary directory: a Dockerfile and the files around it, linted as a run would lint them.</summary>
internal sealed class LintScenario : IDisposable
{
    private LintScenario(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public static LintScenario Create(string dockerfile)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-lint-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var scenario = new LintScenario(directory);
        scenario.File("Dockerfile", dockerfile);
        return scenario;
    }

    /// <summary>The sample app (samples/webapp) as it is shipped.</summary>
    public static LintScenario Sample()
    {
        var scenario = new LintScenario(Path.Combine(Path.GetTempPath(), "cachefrom-lint-" + Guid.NewGuid().ToString("N")[..8]));
        var source = Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "webapp");
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(scenario.Directory, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            System.IO.File.Copy(file, target);
        }

        return scenario;
    }

    public LintScenario File(string relativePath, string content = "")
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return this;
    }

    public LintScenario Folder(string relativePath)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, relativePath));
        return this;
    }

    /// <summary>A <c>.git</c> as a checkout has it (a folder with HEAD and objects).</summary>
    public LintScenario GitCheckout() => File(".git/HEAD", "ref: refs/heads/main\n").File(".git/objects/ab/cdef", "x");

    public CacheFromOptions Options(LintMode mode = LintMode.Warn, BuilderKind builder = BuilderKind.BuildKit, params string[] buildArgs) =>
        new()
        {
            Image = "lint-test/app",
            Tag = "main",
            Context = Directory,
            WorkingDirectory = Directory,
            Builder = builder,
            Lint = mode,
            BuildArgs = CacheFromParameters.ParseBuildArgs(buildArgs),
        };

    public IReadOnlyList<LintFinding> Lint(params string[] buildArgs) => Lint(BuilderKind.BuildKit, buildArgs);

    public IReadOnlyList<LintFinding> Lint(BuilderKind builder, params string[] buildArgs)
    {
        var findings = Run(Options(LintMode.Warn, builder, buildArgs)).Findings;
        foreach (var finding in findings)
            TestContext.Progress.WriteLine(finding.ToString());
        return findings;
    }

    public static LintResult Run(CacheFromOptions options)
    {
        var settings = CacheFromSettings.Resolve(options);
        return DockerfileLint.Run(settings, DockerfileParser.Parse(settings.DockerFile, settings.BuildArgs));
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
