using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

[NonParallelizable]
[Category("Docker")]
public sealed class RegistryCacheTests
{
    // Every test starts where a CI runner starts: an engine with nothing but the base image.
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task An_app_change_on_an_emptied_engine_reuses_every_builder_stage_step(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("app-change"), builder, CacheMode.Registry);

        var cold = await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, warmLog);

        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(builder);
        Assert.Multiple(() =>
        {
            Assert.That(cold.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached), "the first run is cold");
            if (cannotHit)
            {
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            }
            else
            {
                Assert.That(warm.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith(":feature-x--builder"));
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached && i.ColdDuration > TimeSpan.FromSeconds(1)), "every builder RUN comes from the cache, and history from the registry knows its cold duration");
            }

            Assert.That(warm.Runs("final").Single().Cached, Is.False, "the app step sees the changed app");
        });
        var output = await DockerCli.CheckAsync("run", "--rm", options.Image + ":feature-x");
        Assert.That(output, Does.Contain("hello from the CacheFrom sample").And.Contain("changed"));
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_dependency_change_reuses_the_builder_steps_before_it(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("deps-change"), builder, CacheMode.Registry);

        await PipelineRunner.PublishAsync(options, new TestLogger());
        var warmLog = new TestLogger();
        var warm = await ChangeDependenciesAndPublishOnAnEmptiedEngineAsync(sample, options, warmLog);

        var runs = warm.Runs("builder");
        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(builder);
        var containerdStore = await DockerCli.UsesContainerdStoreAsync();
        Assert.That(runs, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(runs[0].Text, Does.Contain("installing system packages"));
            if (cannotHit)
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            else if (MetadataLeftOut(warm, runs[0]))
            {
                // The classic image store now and then writes a cold build's inline cache metadata without
                // this step's layer (Assets/inline-cache/README.md): no builder can reuse it, and the run must say so.
                Assert.That(containerdStore, Is.False, "the containerd image store names every layer a cold build made");
                Assert.That(runs[0].Miss?.Kind, Is.EqualTo(MissKind.CacheMetadataIncomplete), "the run names the metadata it read as the reason");
            }
            else
                Assert.That(runs[0].Cached, Is.True, "the system-package step comes from the cache");
            Assert.That(runs[1].Cached, Is.False, "the dependency step re-runs for the new Gemfile.lock");
        });
    }

    /// <summary>
    /// A warm run's image is the next run's cache, inline metadata included. Docker's classic image store
    /// leaves out of it the layers the warm run took from the cache (Assets/inline-cache/README.md), so
    /// a second dependency change runs the system-package step again, and the run must say why; the
    /// containerd image store names them, and the step comes from the cache.
    /// </summary>
    [Test]
    public async Task A_second_dependency_change_reuses_the_system_package_step_unless_the_metadata_left_it_out()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("deps-twice"), BuilderKind.BuildKit, CacheMode.Registry);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await ChangeDependenciesAndPublishOnAnEmptiedEngineAsync(sample, options);
        var third = await ChangeDependenciesAndPublishOnAnEmptiedEngineAsync(sample, options);

        var containerdStore = await DockerCli.UsesContainerdStoreAsync();
        var system = third.Runs("builder")[0];
        var leftOut = third.Stages.Single(s => s.Name == "builder").WinnerLeftOut;
        TestContext.Out.WriteLine($"engine {TestEnvironment.EngineName}: left out [{string.Join(", ", leftOut ?? [])}], system-package step cached: {system.Cached}");
        Assert.That(leftOut, Is.Not.Null, "the run read the metadata of its registry winner");
        Assert.Multiple(() =>
        {
            Assert.That(system.Text, Does.Contain("installing system packages"));
            if (MetadataLeftOut(third, system))
            {
                Assert.That(containerdStore, Is.False, "the containerd image store names every layer");
                Assert.That(system.Miss?.Kind, Is.EqualTo(MissKind.CacheMetadataIncomplete));
            }
            else
            {
                Assert.That(system.Cached, Is.True, "the metadata names the step's layer: it comes from the cache");
            }

            Assert.That(third.Runs("builder")[1].Cached, Is.False, "the dependency step re-runs for the new Gemfile.lock");
        });
    }

    private static async Task<RunRecord> ChangeDependenciesAndPublishOnAnEmptiedEngineAsync(SampleProject sample, CacheFromOptions options, TestLogger? logger = null)
    {
        await EngineReset.EmptyAsync();
        sample.ChangeDependencies();
        return await PipelineRunner.PublishAsync(options, logger ?? new TestLogger());
    }

    /// <summary>The run read the winner's metadata and found the step's layer left out (position 3: after ARG and WORKDIR).</summary>
    private static bool MetadataLeftOut(RunRecord warm, InstructionRecord step) =>
        !step.Cached && warm.Stages.Single(s => s.Name == "builder").WinnerLeftOut?.Contains(3) == true;

    [Test]
    public async Task Without_an_image_for_this_tag_the_main_candidate_is_used()
    {
        using var sample = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("fallback");
        await PipelineRunner.PublishAsync(PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "main"), new TestLogger());
        await EngineReset.EmptyAsync();

        // Built, not skipped (SkipUnchangedTests covers that): this test is about the builder hitting main's cache.
        var options = PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "feature-new");
        options.Skip = false;
        var branch = await PipelineRunner.PublishAsync(options, new TestLogger());

        var builder = branch.Stages.Single(s => s.Name == "builder");
        Assert.Multiple(() =>
        {
            Assert.That(builder.Candidates.Select(c => (c.Reference, c.Exists)), Is.EqualTo(new[]
            {
                ($"{repository}:feature-new--builder", false),
                ($"{repository}:main--builder", true),
            }));
            Assert.That(builder.Winner, Is.EqualTo($"{repository}:main--builder"));
            Assert.That(branch.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached));
        });
    }

    [Test]
    public async Task Without_any_candidate_the_build_runs_cold_and_says_so()
    {
        using var sample = SampleProject.Create();

        var repository = TestEnvironment.UniqueRepository("cold");

        var record = await PipelineRunner.PublishAsync(PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry), new TestLogger());

        Assert.Multiple(() =>
        {
            Assert.That(record.Stages.Select(s => s.Winner).ToList(), Has.Count.EqualTo(2).And.All.Null, "builder and final: no winner");
            Assert.That(record.Stages.SelectMany(s => s.Candidates).Select(c => (c.Reference, c.Exists)), Is.EquivalentTo(new[]
            {
                ($"{repository}:feature-x--builder", false), ($"{repository}:main--builder", false), ($"{repository}:master--builder", false),
                ($"{repository}:feature-x", false), ($"{repository}:main", false), ($"{repository}:master", false),
            }), "every candidate, fallbacks included, was checked and found missing");
            Assert.That(record.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached));
            Assert.That(record.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
        Assert.That(await RegistryApi.TagExistsAsync(repository, "feature-x"), Is.True, "the final image is in the registry");
        Assert.That(await RegistryApi.TagExistsAsync(repository, "feature-x--builder"), Is.True, "the builder stage image is in the registry");
    }
}
