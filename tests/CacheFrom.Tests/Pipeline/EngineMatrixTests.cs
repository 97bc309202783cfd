using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

/// <summary>
/// Every strategy on the engine the tests point at, as a user runs it (the NUKE host, with
/// sessions): a cold run, an emptied engine, an app change, a warm run. docs/engines.md holds
/// the table these lines fill.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class EngineMatrixTests
{
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(CacheMode.Registry, BuilderKind.BuildKit)]
    [TestCase(CacheMode.Registry, BuilderKind.Classic)]
    [TestCase(CacheMode.Tarball, BuilderKind.BuildKit)]
    [TestCase(CacheMode.Tarball, BuilderKind.Classic)]
    [TestCase(CacheMode.Both, BuilderKind.BuildKit)]
    [TestCase(CacheMode.Both, BuilderKind.Classic)]
    public async Task A_warm_run_on_an_emptied_engine_reuses_the_builder_stage(CacheMode cache, BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var log = new TestLogger();
        var repository = cache == CacheMode.Tarball ? TestEnvironment.UniqueLocalRepository("matrix") : TestEnvironment.UniqueRepository("matrix");
        var options = PipelineRunner.Options(sample, repository, builder, cache);

        var coldLog = new TestLogger();
        var cold = await PipelineRunner.PublishAsync(options, coldLog);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warm = await PipelineRunner.PublishAsync(options, log);

        var engine = Environment.GetEnvironmentVariable("CACHEFROM_TEST_ENGINE") ?? "default";
        var hits = warm.Runs("builder").Count(i => i.Cached);
        TestContext.Out.WriteLine($"MATRIX {engine} {cache} {builder}: builder RUN steps cached {hits}/{warm.Runs("builder").Count}, "
            + $"app step cached {warm.Runs("final").Count(i => i.Cached)}/{warm.Runs("final").Count}; "
            + $"winner {warm.Stages.Single(s => s.Name == "builder").Winner ?? "none"}; warnings: {string.Join(" | ", log.Warnings)}");

        // On the containerd image store the classic builder cannot use a cache (docs/engines.md): it
        // builds cold and says so once. BuildKit hits there too, the tarball served as a registry.
        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(builder);
        Assert.Multiple(() =>
        {
            Assert.That(cold.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached), "the first run is cold");
            Assert.That(coldLog.Warnings.Where(w => w.Contains("Cache history", StringComparison.Ordinal)), Is.Empty, "the cache history is written on every engine");
            Assert.That(warm.Runs("final").Single().Cached, Is.False, "the app step sees the changed app");
            if (cannotHit)
            {
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, log);
            }
            else
            {
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached), "every builder RUN comes from the cache");
                Assert.That(log.Warnings, Is.Empty);
            }
        });
    }
}
