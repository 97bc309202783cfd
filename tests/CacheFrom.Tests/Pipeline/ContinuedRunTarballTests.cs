using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

/// <summary>
/// The steps as separate processes (the tool's verbs, the Cake recipe's tasks), continuing one run
/// through its id, on an emptied engine with the tarball cache. On the containerd image store the
/// tarball is served as a registry by LoadTarball's process, which is gone when the next step runs.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class ContinuedRunTarballTests
{
    [Test]
    public async Task A_run_continued_by_a_pipeline_per_step_builds_the_builder_stage_from_the_tarball_on_an_emptied_engine()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("continued"), BuilderKind.BuildKit, CacheMode.Tarball);
        await EngineReset.EmptyAsync();
        await PipelineRunner.PublishAsync(options, new TestLogger());
        await EngineReset.EmptyAsync();
        var containerdStore = await DockerCli.UsesContainerdStoreAsync();

        options.RunId = "continued-" + Guid.NewGuid().ToString("N")[..8];
        var log = new TestLogger();
        RunRecord record = null!;
        foreach (var step in new[] { PipelineStep.LoadTarball, PipelineStep.ResolveCache, PipelineStep.BuildBuilderStage, PipelineStep.BuildFinalStage })
        {
            // One process per step, as the tool runs a verb: its own sessions, its own pipeline, both gone after the step.
            await using var sessions = BuildKitSessionHost.Create(log.Logger);
            await using var pipeline = await CachePipeline.OpenAsync(options, log.Logger, sessions);
            await pipeline.RunStepAsync(step);
            record = pipeline.Record;
        }

        var servedAgain = log.Lines.Count(l => l.Contains("serving the cache tarball", StringComparison.Ordinal) && l.Contains("to BuildKit again", StringComparison.Ordinal));
        TestContext.Progress.WriteLine($"containerd image store: {containerdStore}; served again {servedAgain} time(s)");
        Assert.Multiple(() =>
        {
            Assert.That(record.Steps.Select(s => s.Step), Is.EqualTo(new[] { PipelineStep.LoadTarball, PipelineStep.ResolveCache, PipelineStep.BuildBuilderStage, PipelineStep.BuildFinalStage }), "one run");
            Assert.That(record.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0));
            Assert.That(record.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith(options.Image + ":feature-x--builder"));
            Assert.That(record.Runs("builder"), Has.Count.EqualTo(2));
            Assert.That(record.Runs("builder").Count(i => i.Cached), Is.EqualTo(2), "both slow steps from the tarball, though its registry's process ended");
            // The loopback registry of each step's own process (the containerd store); loaded images elsewhere, nothing to serve.
            Assert.That(servedAgain, Is.EqualTo(containerdStore ? 3 : 0), "ResolveCache, BuildBuilderStage and BuildFinalStage each serve it again");
            Assert.That(record.Steps.Select(s => s.Outcome), Has.None.EqualTo(StepOutcome.Degraded), string.Join("; ", record.Steps.Select(s => s.Message)));
        });
    }
}
