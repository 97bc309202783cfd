using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

/// <summary>
/// docker-cache-skip: a stage whose inputs equal its winner's is not built. Every change of an input
/// forces the build again, and what the registry holds is checked through its own API.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class SkipUnchangedTests
{
    // Every test starts where a CI runner starts: an engine with nothing but the base image.
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_run_where_nothing_changed_builds_nothing_and_leaves_the_registrys_manifests_as_they_were(BuilderKind builder)
    {
        await AssumeTheBuilderCanUseACacheAsync(builder);
        using var sample = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("skip-nothing");
        var options = PipelineRunner.Options(sample, repository, builder, CacheMode.Registry);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        var before = await RegistryApi.ManifestDigestsAsync(repository);
        await EngineReset.EmptyAsync();

        var log = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, log);

        var after = await RegistryApi.ManifestDigestsAsync(repository);
        Assert.That(before.Keys, Is.SupersetOf(new[] { "feature-x", "feature-x--builder" }), "the first run pushed both images");
        Assert.Multiple(() =>
        {
            Assert.That(after, Is.EqualTo(before), "every tag of the repository points where it did, nothing added");
            Assert.That(warm.Stages, Has.Count.EqualTo(2).And.All.Matches<StageRecord>(s => s.SkippedSince == s.ImageReference), "both stages stand on this tag's own images");
            Assert.That(warm.Instructions, Has.Count.GreaterThan(2).And.All.Matches<InstructionRecord>(i => i.Skipped && i.Cached), "nothing was built");
            Assert.That(RunSummary.Compute(warm).TimeSaved, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(4)), "the two slow steps' cold durations (2 s each) count as saved");
            Assert.That(warm.StepOf(PipelineStep.PushAll).BytesPushed, Is.Zero);
            Assert.That(log.Lines.Where(l => l.Contains("not built: inputs unchanged since", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2), "each skip is logged with its reason");
        });

        if (builder == BuilderKind.BuildKit)
        {
            Assert.That(await DockerCli.ImageExistsAsync(repository + ":feature-x"), Is.False, "BuildKit's run neither built nor pulled the final image");
        }
        else
        {
            // The classic builder pulls its winners; the final image in the engine is the registry's, not a new build.
            var digests = await DockerCli.CheckAsync("image", "inspect", "--format", "{{json .RepoDigests}}", repository + ":feature-x");
            Assert.That(digests, Does.Contain(before["feature-x"]));
        }
    }

    [Test]
    public async Task A_fallback_winner_whose_inputs_are_unchanged_is_published_under_this_tag_with_the_same_digest_and_no_pull()
    {
        using var sample = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("skip-fallback");
        await PipelineRunner.PublishAsync(PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "main"), new TestLogger());
        await EngineReset.EmptyAsync();

        var branch = await PipelineRunner.PublishAsync(PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "feature-new"), new TestLogger());

        var digests = await RegistryApi.ManifestDigestsAsync(repository);
        Assert.Multiple(() =>
        {
            Assert.That(branch.Stages.Select(s => s.SkippedSince), Is.EqualTo(new[] { $"{repository}:main--builder", $"{repository}:main" }));
            Assert.That(branch.Instructions, Has.All.Matches<InstructionRecord>(i => i.Skipped), "nothing was built");
            Assert.That(digests.GetValueOrDefault("feature-new"), Is.EqualTo(digests["main"]), "the final image is main's, under this tag");
            Assert.That(digests.GetValueOrDefault("feature-new--builder"), Is.EqualTo(digests["main--builder"]), "so is the builder stage image");
            Assert.That(branch.StepOf(PipelineStep.ResolveCache).BytesPulled + branch.StepOf(PipelineStep.PushAll).BytesPushed, Is.Zero, "no layer moved through the engine");
        });
        var local = await DockerCli.CheckAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        Assert.That(local.Trim(), Is.Empty, "the engine holds no image of the repository: nothing was pulled");
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task An_app_change_skips_the_builder_stage_and_the_final_build_runs_only_the_changed_step(BuilderKind builder)
    {
        await AssumeTheBuilderCanUseACacheAsync(builder);
        using var sample = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("skip-app");
        var options = PipelineRunner.Options(sample, repository, builder, CacheMode.Registry);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        var before = await RegistryApi.ManifestDigestsAsync(repository);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();

        var warm = await PipelineRunner.PublishAsync(options, new TestLogger());

        var stages = warm.Stages.ToDictionary(s => s.Name);
        Assert.Multiple(() =>
        {
            Assert.That(stages["builder"].SkippedSince, Is.EqualTo($"{repository}:feature-x--builder"));
            Assert.That(stages["final"].Skipped, Is.False);
            Assert.That(stages["final"].Change?.Kind, Is.EqualTo(MissKind.FilesChanged));
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Skipped), "no builder ran the builder stage's steps");
            Assert.That(warm.Instructions.Single(i => i.Stage == "final" && i.Text.Contains("--from=builder", StringComparison.Ordinal)).Cached, Is.True,
                "the final build took the builder stage from the skipped stage's image");
            Assert.That(warm.Runs("final").Single().Cached, Is.False, "the app step sees the changed app");
        });
        var after = await RegistryApi.ManifestDigestsAsync(repository);
        Assert.Multiple(() =>
        {
            Assert.That(after["feature-x--builder"], Is.EqualTo(before["feature-x--builder"]), "the skipped stage image is untouched");
            Assert.That(after["feature-x"], Is.Not.EqualTo(before["feature-x"]), "the final image was pushed");
        });
        var output = await DockerCli.CheckAsync("run", "--rm", repository + ":feature-x");
        Assert.That(output, Does.Contain("changed"));
    }

    [Test]
    public async Task A_changed_file_rebuilds_the_stage_that_copies_it_and_the_stages_after_it()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("skip-file"), BuilderKind.BuildKit, CacheMode.Registry);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        sample.ChangeDependencies();

        var warm = await PipelineRunner.PublishAsync(options, new TestLogger());

        var stages = warm.Stages.ToDictionary(s => s.Name);
        Assert.Multiple(() =>
        {
            Assert.That(stages.Values.Select(s => s.Skipped), Is.EqualTo(new[] { false, false }), "neither stage is skipped");
            Assert.That(stages["builder"].Change?.Kind, Is.EqualTo(MissKind.FilesChanged));
            Assert.That(stages["builder"].Change?.Paths, Does.Contain("Gemfile.lock"));
            Assert.That(stages["final"].Change?.Kind, Is.EqualTo(MissKind.SourceChanged));
            Assert.That(warm.Runs("builder").Select(i => i.Cached), Is.EqualTo(new[] { true, false }), "the dependency step re-runs");
        });
    }

    [Test]
    public async Task A_changed_build_arg_rebuilds_the_stages_that_read_it()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("skip-arg"), BuilderKind.BuildKit, CacheMode.Registry);
        options.BuildArgs["SLOW_SECONDS"] = "1";
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        options.BuildArgs["SLOW_SECONDS"] = "2";

        var warm = await PipelineRunner.PublishAsync(options, new TestLogger());

        var builder = warm.Stages.Single(s => s.Name == "builder");
        Assert.Multiple(() =>
        {
            Assert.That(builder.Skipped, Is.False);
            Assert.That(builder.Change?.Kind, Is.EqualTo(MissKind.BuildArgChanged));
            Assert.That(builder.Change?.Args, Does.Contain("SLOW_SECONDS"));
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached), "both RUN steps read the arg");
            Assert.That(warm.Stages.Single(s => s.IsFinal).Skipped, Is.False, "the final stage copies from the rebuilt builder");
        });
    }

    [Test]
    public async Task A_base_tag_moved_in_the_registry_rebuilds_every_stage_on_it()
    {
        using var sample = SampleProject.Create();
        var baseRepository = TestEnvironment.UniqueRepository("skip-base");
        await PushBaseImageAsync(baseRepository);
        sample.Edit("Dockerfile", text => text.Replace(TestEnvironment.BaseImage, baseRepository + ":1", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("skip-base-app"), BuilderKind.BuildKit, CacheMode.Registry);
        await EngineReset.EmptyAsync();
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        var unchanged = await PipelineRunner.PublishAsync(options, new TestLogger());

        await PushBaseImageAsync(baseRepository);
        await EngineReset.EmptyAsync();
        var moved = await PipelineRunner.PublishAsync(options, new TestLogger());

        Assert.Multiple(() =>
        {
            Assert.That(unchanged.Stages.Select(s => s.Skipped), Is.EqualTo(new[] { true, true }), "with the base where it was, nothing builds");
            Assert.That(moved.Stages.Select(s => s.Skipped), Is.EqualTo(new[] { false, false }), "the moved base rebuilds both stages");
            Assert.That(moved.Stages.Select(s => s.Change?.Kind), Is.EqualTo(new MissKind?[] { MissKind.BaseImageMoved, MissKind.BaseImageMoved }));
            Assert.That(moved.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached));
        });
    }

    [Test]
    public async Task With_docker_cache_skip_false_every_stage_is_built_from_the_cache()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("skip-off"), BuilderKind.BuildKit, CacheMode.Registry);
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        options.Skip = false;

        var log = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, log);

        Assert.Multiple(() =>
        {
            Assert.That(warm.Stages.Select(s => (s.InputsUnchanged, s.Skipped)), Is.EqualTo(new[] { (true, false), (true, false) }), "unchanged, and built anyway");
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached && i.BuiltIn == PipelineStep.BuildBuilderStage));
            Assert.That(warm.Runs("final"), Has.Count.EqualTo(1).And.All.Matches<InstructionRecord>(i => i.Cached));
            Assert.That(log.Lines.Where(l => l.Contains("built anyway (docker-cache-skip is false)", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2));
        });
        Assert.That(await DockerCli.ImageExistsAsync(options.Image + ":feature-x"), Is.True, "the final image was built in the engine");
    }

    /// <summary>A base image of its own in the registry: each call pushes a new image (a layer of its own) under <c>:1</c>, then forgets it locally.</summary>
    private static async Task PushBaseImageAsync(string repository)
    {
        var directory = Directory.CreateTempSubdirectory("cachefrom-base-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Dockerfile"), $"FROM {TestEnvironment.BaseImage}\nRUN echo {Guid.NewGuid():N} > /base-marker\n");
            await DockerCli.CheckAsync("build", "-q", "-t", repository + ":1", directory.FullName);
            await DockerCli.CheckAsync("push", repository + ":1");
            await DockerCli.CheckAsync("rmi", repository + ":1");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>On the containerd image store the classic builder cannot use a cache at all (docs/engines.md).</summary>
    private static async Task AssumeTheBuilderCanUseACacheAsync(BuilderKind builder)
    {
        if (builder == BuilderKind.Classic)
            Assume.That(await DockerCli.UsesContainerdStoreAsync(), Is.False, "the classic builder uses no cache on the containerd image store");
    }
}
