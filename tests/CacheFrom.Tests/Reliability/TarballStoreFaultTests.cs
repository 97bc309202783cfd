using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A tarball store that fills up or is read-only is a warning: the build succeeds and the
/// previous tarball stays as it was; a cancelled save leaves no partial file.
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

        AssertSaveDegradedAndPreviousKept(record, log, previous, previousHash, "No space left on device");
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

        AssertSaveDegradedAndPreviousKept(record, log, previous, previousHash, "Read-only file system");
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

    private static void AssertSaveDegradedAndPreviousKept(RunRecord record, TestLogger log, string previous, string previousHash, string reason)
    {
        Assert.Multiple(() =>
        {
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(record.StepOf(PipelineStep.SaveTarball).Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(log.Warnings, Has.Some.Contains("Could not save the cache tarball").And.Some.Contains(reason));
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
