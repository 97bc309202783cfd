using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

/// <summary>
/// A registry that is down (connection refused): the cache read retries, gives up and the build
/// runs cold; pushing the deliverable there fails loudly. Short retries keep each test to seconds;
/// the number of attempts, which is what the tests check, is the default's.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class RegistryDownTests
{
    // Nothing listens here: connection refused, as for a registry that is down.
    private const string DeadRegistry = "127.0.0.1:5999";

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task An_unreachable_registry_is_retried_then_skipped_and_the_build_succeeds_when_not_pushing(BuilderKind builder)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{DeadRegistry}/cachefrom-tests/down", builder, CacheMode.Registry);
        options.Push = false;
        options.Retry = ReliabilitySupport.FastRetries();

        var record = await PipelineRunner.PublishAsync(options, log);

        var resolve = record.StepOf(PipelineStep.ResolveCache);
        Assert.Multiple(() =>
        {
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(resolve.Message, Does.Contain(DeadRegistry).And.Contain("connection refused").And.Contain("4 attempts"));
            Assert.That(log.Retries(), Has.Count.EqualTo(3), "three retries of the first check, then the registry is not asked again");
            Assert.That(record.Stages.SelectMany(s => s.Candidates).Where(c => c.Error?.StartsWith("not checked", StringComparison.Ordinal) == true).ToList(), Has.Count.EqualTo(5), "the other five candidates were not checked");
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(record.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Skipped));
        });
    }

    [Test]
    public async Task Pushing_the_final_image_to_an_unreachable_registry_fails_with_a_clear_message()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, $"{DeadRegistry}/cachefrom-tests/down", BuilderKind.BuildKit, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();

        var exception = Assert.ThrowsAsync<RegistryException>(() => PipelineRunner.PublishAsync(options, new TestLogger()));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain($"Pushing the image {DeadRegistry}/cachefrom-tests/down:feature-x failed").And.Contain("connection refused").And.Contain("4 attempts"));
        await Task.CompletedTask;
    }
}
