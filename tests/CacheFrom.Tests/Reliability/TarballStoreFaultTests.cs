using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A tarball store that fills up or is read-only is a warning that says so: the build succeeds and
/// the previous tarball stays as it was; a cancelled save leaves no partial file. An engine that
/// cannot load a sound tarball (out of disk, a 500) leaves it in place: that is not a corrupt file.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class TarballStoreFaultTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task A_store_that_fills_up_is_a_warning_and_the_previous_tarball_stays_intact(CancellationToken cancellationToken)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("store-full"), BuilderKind.BuildKit, CacheMode.Tarball);
        await PipelineRunner.PublishAsync(options, log, cancellationToken);
        var first = Path.Combine(options.CacheDir!, RelativeTarball(options));
        var size = new FileInfo(first).Length;

        // Room for the previous tarball and half of another: the next save runs out of space half-way.
        using var mount = TmpfsMount.Create(size + (size / 2));
        var previous = CopyInto(first, mount.Directory, options);
        var previousHash = TarballCheck.Sha256(previous);
        options.CacheDir = mount.Directory;
        sample.ChangeApp();

        var record = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        AssertSaveDegradedAndPreviousKept(record, previous, previousHash, $"The tarball store {mount.Directory} is full (No space left on device");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_read_only_store_is_a_warning_and_the_previous_tarball_stays_intact(CancellationToken cancellationToken)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("store-ro"), BuilderKind.BuildKit, CacheMode.Tarball);
        await PipelineRunner.PublishAsync(options, log, cancellationToken);
        var first = Path.Combine(options.CacheDir!, RelativeTarball(options));

        using var mount = TmpfsMount.Create(256L << 20);
        var previous = CopyInto(first, mount.Directory, options);
        var previousHash = TarballCheck.Sha256(previous);
        mount.MakeReadOnly();
        options.CacheDir = mount.Directory;
        sample.ChangeApp();

        var record = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        AssertSaveDegradedAndPreviousKept(record, previous, previousHash, $"The tarball store {mount.Directory} is read-only (Read-only file system");
        Assert.That(record.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0), "a read-only store is still read");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_save_cancelled_half_way_leaves_no_partial_file_and_the_previous_tarball_intact(CancellationToken cancellationToken)
    {
        var log = new TestLogger();
        var store = new TarballStore(Directory.CreateTempSubdirectory("cachefrom-store-").FullName, log.Logger);
        var image = ImageReference.Parse(TestEnvironment.UniqueLocalRepository("cancelled"), "main");
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger, cancellationToken);
        await engine.TagAsync(TestEnvironment.BaseImage, image, cancellationToken);
        try
        {
            await store.WriteAsync(image, (stream, token) => engine.SaveAsync([image.ToString()], stream, token), cancellationToken);
            var previousHash = TarballCheck.Sha256(store.PathFor(image));

            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var written = 0L;
            Assert.CatchAsync<OperationCanceledException>(() => store.WriteAsync(
                image,
                (stream, token) => engine.SaveAsync([image.ToString()], new CallbackStream(stream, bytes =>
                {
                    // Cancel once part of the archive is on disk: the save is then half-way by construction.
                    written += bytes;
                    if (written > 64 * 1024)
                        cancellation.Cancel();
                }), token),
                cancellation.Token));

            Assert.Multiple(() =>
            {
                Assert.That(written, Is.GreaterThan(64 * 1024), "the save was under way when it was cancelled");
                Assert.That(Directory.EnumerateFiles(store.Directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName), Is.EqualTo(new[] { "main.tar" }));
                Assert.That(TarballCheck.Sha256(store.PathFor(image)), Is.EqualTo(previousHash));
            });
        }
        finally
        {
            await DockerCli.RunAsync("rmi", image.ToString());
            Directory.Delete(store.Directory, recursive: true);
        }
    }

    public static IEnumerable<TestCaseData> EngineLoadFailures()
    {
        const string OutOfDisk = "write /var/lib/docker/tmp/docker-import-1234/layer.tar: no space left on device";
        var inStream = $$"""{"errorDetail":{"message":"{{OutOfDisk}}"},"error":"{{OutOfDisk}}"}""" + "\n";
        yield return new TestCaseData(Response("200 OK", inStream), OutOfDisk).SetName("A daemon out of disk during the load leaves the sound tarball in place and the run builds cold");
        var body = """{"message":"failed to register layer: devmapper: Error running deviceCreate"}""";
        yield return new TestCaseData(Response("500 Internal Server Error", body), "devmapper").SetName("An engine 500 during the load leaves the sound tarball in place and the run builds cold");

        static string Response(string status, string body) =>
            $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
    }

    [TestCaseSource(nameof(EngineLoadFailures))]
    [CancelAfter(120_000)]
    public async Task An_engine_that_cannot_load_a_sound_tarball_leaves_it_in_place(string response, string engineMessage, CancellationToken cancellationToken)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        // The builder does not matter here; the classic one builds on every engine, the containerd store included.
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("load-refused"), BuilderKind.Classic, CacheMode.Tarball);
        await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);
        var tarball = Path.Combine(options.CacheDir!, RelativeTarball(options));
        var hash = TarballCheck.Sha256(tarball);
        await EngineReset.EmptyAsync();
        await using var proxy = FaultProxy.Start(TestEnvironment.DockerHost);
        proxy.Answer("POST", "/images/load", response);
        options.DockerHost = $"tcp://{proxy.Address}";

        await using var pipeline = await CachePipeline.OpenAsync(options, new TestLogger().Logger, cancellationToken: cancellationToken);
        await pipeline.LoadTarballAsync(cancellationToken);
        var load = pipeline.Record.StepOf(PipelineStep.LoadTarball);
        TestContext.Out.WriteLine(load.Message);
        Assert.Multiple(() =>
        {
            Assert.That(proxy.Answered, Is.EqualTo(1), "the engine's load answered with the failure");
            Assert.That(load.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(load.Message, Does.Contain("could not load").And.Contain("left in place").And.Contain(engineMessage));
            Assert.That(pipeline.Record.QuarantinedTarballs, Is.Empty);
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(tarball)!).Select(Path.GetFileName), Is.EqualTo(new[] { Path.GetFileName(tarball) }), "nothing set aside");
            Assert.That(TarballCheck.Sha256(tarball), Is.EqualTo(hash), "the shared tarball is untouched");
        });

        await pipeline.ResolveCacheAsync(cancellationToken);
        await pipeline.BuildBuilderStageAsync(cancellationToken);
        Assert.That(pipeline.Record.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached), "nothing was loaded: the run builds cold");
    }

    private static void AssertSaveDegradedAndPreviousKept(RunRecord record, string previous, string previousHash, string reason)
    {
        var save = record.StepOf(PipelineStep.SaveTarball);
        TestContext.Out.WriteLine(save.Message);
        Assert.Multiple(() =>
        {
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(save.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(save.Message, Does.Contain(reason), "the store's own failure, said as such");
            Assert.That(save.Message, Does.Not.Contain("stopped answering"), "a full disk is not the engine going away");
            Assert.That(TarballCheck.Sha256(previous), Is.EqualTo(previousHash), "the previous tarball is byte for byte what it was");
            Assert.That(TarballCheck.Problem(previous), Is.Null);
            Assert.That(Directory.EnumerateFiles(Path.GetDirectoryName(previous)!).Select(Path.GetFileName), Is.EqualTo(new[] { Path.GetFileName(previous) }), "no partial file is left");
        });
    }

    private static string RelativeTarball(CacheFromOptions options)
    {
        var store = new TarballStore(options.CacheDir!, new TestLogger().Logger);
        return Path.GetRelativePath(options.CacheDir!, store.PathFor(ImageReference.Parse(options.Image!, options.Tag!)));
    }

    private static string CopyInto(string tarball, string storeDirectory, CacheFromOptions options)
    {
        var target = Path.Combine(storeDirectory, RelativeTarball(options));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(tarball, target);
        return target;
    }

    /// <summary>Passes writes through and reports how many bytes each one carried.</summary>
    private sealed class CallbackStream(Stream inner, Action<int> written) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            written(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            written(buffer.Length);
        }
    }
}
