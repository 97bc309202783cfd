using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

[NonParallelizable]
[Category("Docker")]
public sealed class TarballCacheTests
{
    // Every test starts where a CI runner starts: an engine with nothing but the base image.
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_saved_tarball_survives_an_emptied_engine_and_feeds_the_next_build(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("tarball"), builder, CacheMode.Tarball);

        var cold = await PipelineRunner.PublishAsync(options, new TestLogger());
        var tarball = new TarballStore(options.CacheDir!, new TestLogger().Logger).PathFor(ImageReference.Parse(options.Image!, "feature-x"));
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, warmLog);

        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(builder);
        Assert.Multiple(() =>
        {
            Assert.That(cold.StepOf(PipelineStep.SaveTarball).BytesSaved, Is.GreaterThan(0));
            Assert.That(File.Exists(tarball), Is.True, tarball);
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(tarball)!, "*.partial"), Is.Empty, "no temp file left behind");
            Assert.That(cold.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Skipped), "tarball mode does not push by default");
            Assert.That(warm.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0));
            if (cannotHit)
            {
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            }
            else
            {
                // On the containerd image store BuildKit reads the tarball served as a loopback registry: 127.0.0.1:PORT/IMAGE.
                Assert.That(warm.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith(options.Image + ":feature-x--builder"));
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached && i.ColdDuration > TimeSpan.FromSeconds(1)), "cached, and history from the saved cache knows the cold durations");
            }

            Assert.That(File.Exists(Path.Combine(sample.Directory, ".nuke", "temp", "cachefrom", "cachefrom-report.html")), Is.True, "every run leaves its report");
        });
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_corrupt_tarball_is_set_aside_and_the_build_runs_cold(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("corrupt"), builder, CacheMode.Tarball);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        var tarball = new TarballStore(options.CacheDir!, new TestLogger().Logger).PathFor(ImageReference.Parse(options.Image!, "feature-x"));
        var bytes = await File.ReadAllBytesAsync(tarball);
        await File.WriteAllBytesAsync(tarball, bytes[..(bytes.Length / 3)]); // truncated, as a crashed copy leaves it
        await EngineReset.EmptyAsync();

        var record = await PipelineRunner.PublishAsync(options, new TestLogger());

        var load = record.StepOf(PipelineStep.LoadTarball);
        Assert.Multiple(() =>
        {
            Assert.That(load.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(load.Message, Does.Contain("not a complete tar archive").And.Contain("was set aside"));
            Assert.That(record.QuarantinedTarballs, Has.Count.EqualTo(1));
            Assert.That(File.Exists(record.QuarantinedTarballs[0]), Is.True, "the bad file is kept aside for inspection");
            Assert.That(record.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached), "the build ran cold");
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(new FileInfo(tarball).Length, Is.GreaterThan(bytes.Length / 3), "a complete tarball replaced the bad one");
        });
    }
}
