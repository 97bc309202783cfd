using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.Docker;
using CacheFrom.Sessions;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary>
/// The build context over the session (FileSync), checked on both sides: what the image holds,
/// and what the session sent. The only way BuildKit reads a context on the containerd image store.
/// </summary>
[UnsupportedOSPlatform("windows")]
[TestFixture]
[Category("Docker")]
public sealed class BuildKitSessionFileSyncTests
{
    private const int BigFileBytes = 3 * 1024 * 1024 + 17;

    private string _root = "";

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "cachefrom-filesync-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteRoot() => Delete(_root);

    [Test]
    public async Task Given_a_context_with_ignore_rules_links_and_a_big_file_When_BuildKit_builds_it_over_the_session_Then_the_image_holds_exactly_what_was_sent()
    {
        var (context, dockerfile, bigHash) = await ProjectAsync();
        var log = new TestLogger();
        var tag = TestEnvironment.UniqueLocalRepository("filesync") + ":latest";
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            var request = Request(_root, context: BuildSessionContext.For(context, dockerfile));
            await using var session = await host.OpenAsync(request);
            var result = await engine.BuildAsync(Build(context, tag, session.Id, dockerfile: dockerfile));

            var transfers = ((BuildKitSession)session).State.Transfers.ToList();
            var contextStats = transfers.Where(t => t.DirectoryName == LocalDirectory.ContextName).SelectMany(t => t.Stats).ToList();
            var dockerfileStats = transfers.Where(t => t.DirectoryName == LocalDirectory.DockerfileName).SelectMany(t => t.Stats).ToList();
            var sentBytes = transfers.Sum(t => t.Bytes);
            var listing = await RunInImageAsync(tag, "cd /ctx && find . | sort");
            // BuildKit 0.13 (Docker 26) recreates the FIFO, 0.8 (Docker 20.10) leaves it out: what matters is that it was never read.
            var inImage = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "./pipe").ToList();
            var details = await RunInImageAsync(tag, "cd /ctx && stat -c '%n %a' run.sh && readlink link && sha256sum big.bin | cut -d' ' -f1 && cat src/a/b/deep.txt && echo && cat /ran.txt");
            TestContext.Out.WriteLine(listing);

            Assert.Multiple(() =>
            {
                Assert.That(result.Instructions, Has.Count.EqualTo(3));
                Assert.That(inImage, Is.EqualTo(new[]
                {
                    ".", "./.dockerignore", "./big.bin", "./empty", "./link", "./logs", "./logs/keep.log", "./run.sh", "./src", "./src/a", "./src/a/b", "./src/a/b/deep.txt",
                }));
                Assert.That(details.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
                {
                    "run.sh 755", "src/a/b/deep.txt", bigHash, "deep", "ran",
                }), "mode, symlink, the big file byte for byte, nested contents");

                foreach (var ignored in new[] { "secret.txt", "logs/other.log", "cache.tmp", "node_modules", "node_modules/pkg/index.js" })
                    Assert.That(contextStats, Does.Not.Contain(ignored), $"{ignored} left the machine");
                Assert.That(contextStats, Does.Contain("big.bin").And.Contain("empty").And.Contain("logs/keep.log").And.Contain("pipe"));
                Assert.That(transfers.SelectMany(t => t.Contents), Has.None.EndsWith("/pipe"), "a FIFO is listed, never read");
                Assert.That(dockerfileStats, Is.Not.Empty.And.All.EqualTo("app.Dockerfile").Or.EqualTo("app.Dockerfile.dockerignore"), "the Dockerfile's directory sends only the Dockerfile");
                Assert.That(dockerfileStats, Does.Contain("app.Dockerfile").And.Not.Contain("beside.txt"));
                Assert.That(sentBytes, Is.GreaterThanOrEqualTo(BigFileBytes).And.LessThan(BigFileBytes + 64 * 1024), "nothing but the context's own files was sent");
                Assert.That(session.Fault, Is.Null);
            });
        }
        finally
        {
            await DockerCli.RunAsync("rmi", "-f", tag);
        }
    }

    [Test]
    public async Task Given_a_context_built_once_When_it_is_built_again_with_a_new_session_Then_every_instruction_is_cached_and_no_file_is_sent_again()
    {
        var (context, dockerfile, _) = await ProjectAsync();
        var log = new TestLogger();
        var tag = TestEnvironment.UniqueLocalRepository("filesync-again") + ":latest";
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            await using (var first = await host.OpenAsync(Request(_root, context: BuildSessionContext.For(context, dockerfile))))
                await engine.BuildAsync(Build(context, tag, first.Id, dockerfile: dockerfile));

            await using var second = await host.OpenAsync(Request(_root, context: BuildSessionContext.For(context, dockerfile)));
            var again = await engine.BuildAsync(Build(context, tag, second.Id, dockerfile: dockerfile));
            var transfers = ((BuildKitSession)second).State.Transfers.ToList();
            TestContext.Out.WriteLine($"second build: {transfers.Sum(t => t.Files)} files, {transfers.Sum(t => t.Bytes)} bytes sent");

            Assert.Multiple(() =>
            {
                Assert.That(again.Instructions, Has.Count.EqualTo(3));
                Assert.That(again.Instructions.Where(i => !i.Cached && !i.Text.StartsWith("FROM", StringComparison.Ordinal)).Select(i => i.Text), Is.Empty, "instructions that ran again");
                Assert.That(transfers.Where(t => t.DirectoryName == LocalDirectory.ContextName), Is.Not.Empty, "BuildKit still lists the context");
                Assert.That(transfers.Sum(t => t.Bytes), Is.LessThan(BigFileBytes), "BuildKit kept its copy of the context and asked only for changes");
            });
        }
        finally
        {
            await DockerCli.RunAsync("rmi", "-f", tag);
        }
    }

    /// <summary>
    /// The session-less path itself: the context as the request body. Engines on overlay2 read it;
    /// the containerd image store cannot (moby/moby#47717), and one message says what works.
    /// </summary>
    [Test]
    public async Task Given_no_session_When_BuildKit_builds_Then_overlay2_engines_read_the_body_and_the_containerd_store_gets_one_message_saying_what_works()
    {
        var context = Context("""
            FROM BASE
            RUN echo hello
            """);
        var log = new TestLogger();
        var tag = TestEnvironment.UniqueLocalRepository("no-session") + ":latest";
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            if (await DockerCli.UsesContainerdStoreAsync())
            {
                var failure = Assert.ThrowsAsync<ImageBuildFailedException>(() => engine.BuildAsync(Build(context, tag, sessionId: null)));
                Assert.That(failure!.Message, Does.Contain("containerd image store").And.Contain("docker-builder classic").And.Contain("BuildKit session"));
            }
            else
            {
                var built = await engine.BuildAsync(Build(context, tag, sessionId: null));
                Assert.That(built.Instructions.Select(i => i.Text), Has.Some.EqualTo("RUN echo hello"));
                Assert.That(await DockerCli.ImageExistsAsync(tag), Is.True);
            }
        }
        finally
        {
            await DockerCli.RunAsync("rmi", "-f", tag);
            Delete(context);
        }
    }

    [Test]
    public async Task Given_a_50_MB_context_When_it_is_sent_over_the_session_Then_every_byte_arrives_and_the_throughput_is_logged()
    {
        var context = Path.Combine(_root, "context");
        Directory.CreateDirectory(context);
        var random = new Random(11);
        long total = 0;
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[1024 * 1024 + i];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(context, $"blob-{i:D2}.bin"), bytes);
            total += bytes.Length;
        }

        for (var i = 0; i < 1000; i++)
        {
            var directory = Path.Combine(context, "small", $"d{i % 20:D2}");
            Directory.CreateDirectory(directory);
            var bytes = new byte[10 * 1024];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(directory, $"f{i:D4}.bin"), bytes);
            total += bytes.Length;
        }

        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {TestEnvironment.BaseImage}\nCOPY . /ctx\nRUN find /ctx -type f ! -name Dockerfile -exec cat {{}} + | wc -c > /bytes.txt\n");
        total += new FileInfo(Path.Combine(context, "Dockerfile")).Length;
        var log = new TestLogger();
        var tag = TestEnvironment.UniqueLocalRepository("filesync-big") + ":latest";
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            var opening = Stopwatch.StartNew();
            var session = await host.OpenAsync(Request(context));
            var opened = opening.Elapsed;
            var building = Stopwatch.StartNew();
            await engine.BuildAsync(Build(context, tag, session.Id));
            var built = building.Elapsed;
            var closing = Stopwatch.StartNew();
            var transfers = ((BuildKitSession)session).State.Transfers.ToList();
            await session.DisposeAsync();
            var closed = closing.Elapsed;

            var main = transfers.Where(t => t.DirectoryName == LocalDirectory.ContextName).MaxBy(t => t.Bytes)!;
            var seconds = main.Elapsed.Elapsed.TotalSeconds;
            TestContext.Out.WriteLine(
                $"FileSync: {main.Files} files, {main.Bytes / 1e6:0.0} MB in {seconds:0.00} s = {main.Bytes / 1e6 / seconds:0.0} MB/s; "
                + $"session open {opened.TotalMilliseconds:0} ms, close {closed.TotalMilliseconds:0} ms, build {built.TotalSeconds:0.0} s");
            var inImage = (await RunInImageAsync(tag, "cat /bytes.txt")).Trim();

            Assert.Multiple(() =>
            {
                Assert.That(main.Files, Is.EqualTo(1041));
                Assert.That(main.Bytes, Is.EqualTo(total));
                Assert.That(long.Parse(inImage, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(total - new FileInfo(Path.Combine(context, "Dockerfile")).Length));
            });
        }
        finally
        {
            await DockerCli.RunAsync("rmi", "-f", tag);
        }
    }

    /// <summary>
    /// A context with what FileSync must get right, and a Dockerfile outside it under another name
    /// (with a file beside it that must not be sent).
    /// </summary>
    private async Task<(string Context, string Dockerfile, string BigHash)> ProjectAsync()
    {
        var context = Path.Combine(_root, "context");
        var docker = Path.Combine(_root, "docker");
        Directory.CreateDirectory(docker);
        await WriteAsync(context, ".dockerignore", "secret.txt\nlogs\n!logs/keep.log\n*.tmp\nnode_modules\n");
        await WriteAsync(context, "secret.txt", "must not leave the machine");
        await WriteAsync(context, "logs/other.log", "ignored");
        await WriteAsync(context, "logs/keep.log", "kept");
        await WriteAsync(context, "cache.tmp", "ignored");
        await WriteAsync(context, "node_modules/pkg/index.js", "ignored");
        await WriteAsync(context, "src/a/b/deep.txt", "deep");
        await WriteAsync(context, "run.sh", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(Path.Combine(context, "run.sh"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(context, "empty"));
        File.CreateSymbolicLink(Path.Combine(context, "link"), "src/a/b/deep.txt");
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(context, "pipe")))
            await mkfifo.WaitForExitAsync();
        var big = new byte[BigFileBytes];
        new Random(5).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(context, "big.bin"), big);
        await WriteAsync(docker, "beside.txt", "not part of the build");
        await WriteAsync(docker, "app.Dockerfile", $"""
            FROM {TestEnvironment.BaseImage}
            COPY . /ctx
            RUN /ctx/run.sh > /ran.txt && test -d /ctx/empty && test -L /ctx/link
            """);
        return (context, Path.Combine(docker, "app.Dockerfile"), Convert.ToHexStringLower(SHA256.HashData(big)));
    }

    private static async Task WriteAsync(string directory, string relative, string content)
    {
        var path = Path.Combine(directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content);
    }

    private static Task<string> RunInImageAsync(string tag, string script) =>
        DockerCli.CheckAsync("run", "--rm", "--network", "none", tag, "sh", "-c", script);
}
