using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

[NonParallelizable]
[Category("Docker")]
public sealed class RegistryDownTests
{
    // Nothing listens here: connection refused, as for a registry that is down.
    private const string DeadRegistry = "127.0.0.1:5999";

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task An_unreachable_registry_skips_the_cache_and_the_build_succeeds_when_not_pushing(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{DeadRegistry}/cachefrom-tests/down", builder, CacheMode.Registry);
        options.Push = false;

        var record = await PipelineRunner.PublishAsync(options, log);

        Assert.Multiple(() =>
        {
            Assert.That(record.StepOf(PipelineStep.ResolveCache).Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(log.Warnings, Has.Some.Contains(DeadRegistry));
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(record.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Skipped));
        });
    }

    [Test]
    public async Task Pushing_the_final_image_to_an_unreachable_registry_fails_with_a_clear_message()
    {
        using var sample = SampleProject.Create();
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{DeadRegistry}/cachefrom-tests/down", BuilderKind.BuildKit, CacheMode.Registry);

        var exception = Assert.ThrowsAsync<RegistryException>(() => PipelineRunner.PublishAsync(options, log));

        Assert.That(exception!.Message, Does.Contain("Pushing the image").And.Contain(DeadRegistry));
        await Task.CompletedTask;
    }
}
