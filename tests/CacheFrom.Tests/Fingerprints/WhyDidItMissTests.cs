using CacheFrom.Configuration;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>
/// Real runs of the sample, each warm run on an emptied engine as a CI runner sees it: the
/// fingerprints the stage images carry and the reason each built instruction gives.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class WhyDidItMissTests
{
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task The_report_of_an_app_change_names_the_changed_file(BuilderKind builder)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("why-app"), builder, CacheMode.Registry);

        var cold = await PipelineRunner.PublishAsync(options, log);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warm = await PipelineRunner.PublishAsync(options, log);

        var copy = warm.Instructions.Single(i => i.Stage == "final" && i.Text.StartsWith("COPY app/", StringComparison.Ordinal));
        var run = warm.Instructions.Single(i => i.Stage == "final" && i.Text.StartsWith("RUN", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(cold.Instructions.Where(i => !i.Cached && i.IsWork).Select(i => i.Miss?.Kind), Has.All.EqualTo(MissKind.NoCache), "the first run had no cache");
            Assert.That(warm.Stages.Single(s => s.Name == "builder").InputsUnchanged, Is.True, "the builder takes no app file");
            Assert.That(warm.Stages.Single(s => s.Name == "final").InputsUnchanged, Is.False);
            Assert.That(copy.Cached, Is.False);
            Assert.That(copy.Miss?.Kind, Is.EqualTo(MissKind.FilesChanged));
            Assert.That(copy.Miss?.Paths, Is.EqualTo(new[] { "app/greeting.txt" }));
            Assert.That(run.Miss?.Kind, Is.EqualTo(MissKind.EarlierStepMissed));
            Assert.That(run.Miss?.Summary, Does.Contain("app/greeting.txt"));
        });

        var report = await File.ReadAllTextAsync(Path.Combine(sample.Directory, ".nuke", "temp", "cachefrom", ReportWriter.JsonFileName));
        var markdown = await File.ReadAllTextAsync(Path.Combine(sample.Directory, ".nuke", "temp", "cachefrom", ReportWriter.MarkdownFileName));
        var html = await File.ReadAllTextAsync(Path.Combine(sample.Directory, ".nuke", "temp", "cachefrom", ReportWriter.HtmlFileName));
        Assert.That(report, Does.Contain("\"kind\": \"FilesChanged\"").And.Contain("\"app/greeting.txt\""));
        Assert.That(markdown, Does.Contain("files changed: app/greeting.txt"));
        Assert.That(html, Does.Contain("files changed: app/greeting.txt"));
        Assert.That(log.AllText, Does.Contain("Built final: COPY app/ /app/ — files changed: app/greeting.txt"));
    }

    [Test]
    public async Task Every_stage_image_carries_its_fingerprint_and_an_unchanged_run_computes_the_same()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var repository = TestEnvironment.UniqueRepository("why-same");
        var options = PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry);

        var cold = await PipelineRunner.PublishAsync(options, log);
        await EngineReset.EmptyAsync();
        var warm = await PipelineRunner.PublishAsync(options, log);

        var fingerprints = cold.Stages.Select(s => s.Fingerprint).ToList();
        Assert.That(fingerprints, Has.Count.EqualTo(2).And.All.StartsWith("sha256:"));
        Assert.That(await RegistryApi.LabelAsync(repository, "feature-x--builder", FingerprintLabel.Name), Is.EqualTo(fingerprints[0]), "checked in the registry itself");
        Assert.That(await RegistryApi.LabelAsync(repository, "feature-x", FingerprintLabel.Name), Is.EqualTo(fingerprints[1]));
        Assert.That(warm.Stages.Select(s => s.Fingerprint), Is.EqualTo(fingerprints));
        Assert.That(warm.Stages.Select(s => s.WinnerFingerprint), Is.EqualTo(fingerprints));
        Assert.That(warm.Stages.Select(s => s.InputsUnchanged), Is.EqualTo(new[] { true, true }));
        Assert.That(warm.Instructions.Where(i => i.IsWork && !i.Cached), Is.Empty);
    }

    [Test]
    public async Task A_changed_build_arg_is_the_reason_the_dependency_steps_ran()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("why-arg"), BuilderKind.BuildKit, CacheMode.Registry);

        await PipelineRunner.PublishAsync(options, log);
        await EngineReset.EmptyAsync();
        options.BuildArgs["SLOW_SECONDS"] = "0";
        var warm = await PipelineRunner.PublishAsync(options, log);

        var runs = warm.Runs("builder");
        Assert.That(runs, Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached));
        Assert.That(runs[0].Miss?.Kind, Is.EqualTo(MissKind.BuildArgChanged));
        Assert.That(runs[0].Miss?.Args, Is.EqualTo(new[] { "SLOW_SECONDS" }));
        Assert.That(runs[0].Miss?.Summary, Is.EqualTo("build arg SLOW_SECONDS changed"));
        Assert.That(warm.Stages.Single(s => s.Name == "builder").Change?.Kind, Is.EqualTo(MissKind.BuildArgChanged));
    }

    [Test]
    public async Task A_changed_instruction_is_the_reason_it_ran()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("why-text"), BuilderKind.BuildKit, CacheMode.Registry);

        await PipelineRunner.PublishAsync(options, log);
        await EngineReset.EmptyAsync();
        sample.Edit("Dockerfile", text => text.Replace("dependencies\" > /app/BUILD_INFO", "dependencies, rebuilt\" > /app/BUILD_INFO", StringComparison.Ordinal));
        var warm = await PipelineRunner.PublishAsync(options, log);

        var run = warm.Runs("final").Single();
        Assert.That(run.Cached, Is.False);
        Assert.That(run.Miss?.Kind, Is.EqualTo(MissKind.InstructionChanged));
        Assert.That(run.Miss?.Summary, Does.StartWith("instruction changed (was: RUN echo \"built from"));
        Assert.That(warm.Stages.Single(s => s.Name == "builder").InputsUnchanged, Is.True);
    }

    [Test]
    public async Task A_base_tag_moved_in_the_registry_is_the_reason_every_step_ran()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var baseRepository = TestEnvironment.UniqueRepository("why-base");
        var baseTag = baseRepository + ":1";
        await DockerCli.CheckAsync("tag", TestEnvironment.BaseImage, baseTag);
        await DockerCli.CheckAsync("push", baseTag);
        await DockerCli.CheckAsync("rmi", baseTag);
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("why-base-app"), BuilderKind.BuildKit, CacheMode.Registry);
        options.BuildArgs["BASE_IMAGE"] = baseTag;

        var cold = await PipelineRunner.PublishAsync(options, log);
        await MoveAsync(baseTag);
        await EngineReset.EmptyAsync();
        var warm = await PipelineRunner.PublishAsync(options, log);

        var runs = warm.Runs("builder");
        Assert.That(cold.Fingerprints.Single(f => f.Stage == "builder").Instructions[0].Inputs.Base, Does.StartWith("sha256:"), "resolved from the registry");
        Assert.That(runs, Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => !i.Cached));
        Assert.That(runs.Select(r => r.Miss?.Kind), Has.All.EqualTo(MissKind.BaseImageMoved));
        Assert.That(runs[0].Miss?.Summary, Does.StartWith("base image moved ("));
        Assert.That(warm.Stages.Select(s => s.InputsUnchanged), Is.EqualTo(new[] { false, false }));
    }

    /// <summary>Points the tag at another image in the registry (and leaves the engine without it).</summary>
    private static async Task MoveAsync(string tag)
    {
        using var context = new ContextFolder().Write("Dockerfile", $"FROM {TestEnvironment.BaseImage}\nRUN echo moved > /moved\n");
        await DockerCli.CheckAsync("build", "-t", tag, context.Directory);
        await DockerCli.CheckAsync("push", tag);
        await DockerCli.CheckAsync("rmi", tag);
    }
}
