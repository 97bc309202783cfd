using System.Diagnostics;
using System.Formats.Tar;
using CacheFrom.BuildContext;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.BuildContext;

/// <summary>
/// Our reading of a tricky .dockerignore against the reference: the files the docker CLI's own
/// BuildKit build (FileSync, fsutil's patternmatcher) puts in the image.
/// </summary>
[Category("Docker")]
public sealed class DockerIgnoreEngineTests
{
    private static readonly string[] Files =
    [
        "file*.txt", "file1.txt", "log7.txt", "logx.txt", "what?", "whats", "#notes",
        "docs/keep/readme.md", "docs/other/x.md", "docs/top.md", "a/x/b/f", "a/b/f", "a/xb",
        "src/main.c", "node_modules/pkg/index.js", "bin/Debug/app.dll",
        "README.md", "README-secret.md", "notes.md", "obj.txt",
    ];

    private const string Ignore = """
        # comment
         #notes
        file\*.txt
        what\?
        log[0-9].txt
        a/**/b
        /node_modules/
        ./bin
        docs
        !docs/keep/
        *.md
        !README*.md
        README-secret.md
        tmp/../obj.txt
        """;

    [Test]
    public async Task The_context_we_send_holds_the_files_the_docker_cli_sends()
    {
        var context = Path.Combine(Path.GetTempPath(), "cachefrom-ignore-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var file in Files)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(context, file))!);
                await File.WriteAllTextAsync(Path.Combine(context, file), file);
            }

            await File.WriteAllTextAsync(Path.Combine(context, ".dockerignore"), Ignore);
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {TestEnvironment.BaseImage}\nCOPY . /ctx\n");
            var tag = TestEnvironment.UniqueLocalRepository("ignore") + ":x";

            await BuildKitCliAsync(context, "build", "-q", "-t", tag, ".");
            var listed = await DockerCli.CheckAsync("run", "--rm", tag, "find", "/ctx", "-type", "f");
            var reference = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => p["/ctx/".Length..]).Order(StringComparer.Ordinal).ToList();
            var ours = await ArchivedFilesAsync(context);

            TestContext.Out.WriteLine("docker CLI: " + string.Join(", ", reference));
            Assert.That(reference, Has.Count.GreaterThan(5), "the reference build copied the context");
            Assert.That(ours, Is.EqualTo(reference));
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    private static async Task<List<string>> ArchivedFilesAsync(string context)
    {
        await using var archive = await BuildContextArchive.CreateAsync(context, Path.Combine(context, "Dockerfile"));
        var files = new List<string>();
        await using var reader = new TarReader(archive.Content, leaveOpen: true);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                files.Add(entry.Name);
        }

        return files.Order(StringComparer.Ordinal).ToList();
    }

    // The CLI's BuildKit build (DockerCli runs the classic one): the context goes over the session.
    private static async Task BuildKitCliAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(TestEnvironment.DockerCliPath)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOCKER_BUILDKIT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker CLI did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            Assert.Fail($"docker {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }
}
