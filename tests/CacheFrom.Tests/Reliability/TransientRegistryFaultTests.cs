using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A fault-injecting proxy between the engine and the registry: cache reads degrade to a cold
/// build, pushes succeed after retries or fail clearly within a bounded time, nothing hangs.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class TransientRegistryFaultTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task A_registry_that_refuses_connections_is_retried_then_the_build_runs_cold(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Refuse);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/refused", BuilderKind.BuildKit, CacheMode.Registry);
        options.Push = false;
        options.Retry = ReliabilitySupport.FastRetries();

        var record = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(log.Retries(), Has.Count.EqualTo(3), "three retries of the first check, then no more asking");
            Assert.That(record.StepOf(PipelineStep.ResolveCache).Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(record.StepOf(PipelineStep.ResolveCache).Message, Does.Contain("connection refused").And.Contain("4 attempts"));
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_push_through_resetting_connections_succeeds_once_the_registry_recovers(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Reset);
        proxy.FaultAfterBytes = 0;
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var repository = $"cachefrom-tests/reset-{Guid.NewGuid().ToString("N")[..8]}";
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/{repository}", BuilderKind.BuildKit, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();

        var heal = ReliabilitySupport.WhenAsync(() => log.Retries().Any(l => l.Contains("push of", StringComparison.Ordinal)), () => proxy.Mode = FaultMode.Pass, TimeSpan.FromSeconds(90), cancellationToken);
        var record = await PipelineRunner.PublishAsync(options, log, cancellationToken);
        await heal;

        Assert.Multiple(() =>
        {
            Assert.That(log.Retries(), Has.Some.Contains("push of"));
            Assert.That(record.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
        Assert.That(await RegistryApi.TagExistsAsync($"{TestEnvironment.Registry}/{repository}", "feature-x"), Is.True, "the final image reached the registry");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_stalled_push_fails_with_a_clear_message_within_a_bounded_time(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/stalled-{Guid.NewGuid().ToString("N")[..8]}", BuilderKind.BuildKit, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries(stallTimeout: TimeSpan.FromSeconds(3));
        options.Retry.MaxRetryAttempts = 1;

        await using var pipeline = await CacheFrom.Pipeline.CachePipeline.OpenAsync(options, log.Logger, cancellationToken: cancellationToken);
        await pipeline.ResolveCacheAsync(cancellationToken);
        await pipeline.BuildBuilderStageAsync(cancellationToken);
        await pipeline.BuildFinalStageAsync(cancellationToken);
        proxy.Mode = FaultMode.Stall;
        proxy.FaultAfterBytes = 0;
        var clock = Stopwatch.StartNew();
        var exception = Assert.ThrowsAsync<RegistryException>(() => pipeline.PushAllAsync(cancellationToken));
        clock.Stop();

        TestContext.Progress.WriteLine($"push failed after {clock.Elapsed.TotalSeconds:0.0} s: {exception!.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain("Pushing the image").And.Contain("stalled").And.Contain(proxy.Address));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "two stalled attempts of 3 s, a short delay and the engine's own answer");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_stalled_existence_check_times_out_and_the_build_runs_cold(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Stall);
        proxy.FaultAfterBytes = 0;
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/stalled-check", BuilderKind.BuildKit, CacheMode.Registry);
        options.Push = false;
        options.Retry = ReliabilitySupport.FastRetries();
        options.Retry.AttemptTimeout = TimeSpan.FromSeconds(2);
        options.Retry.MaxRetryAttempts = 1;

        var record = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        var resolve = record.StepOf(PipelineStep.ResolveCache);
        Assert.Multiple(() =>
        {
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(resolve.Message, Does.Contain("timed out after 2 s").And.Contain("2 attempts"));
            Assert.That(resolve.Duration, Is.LessThan(TimeSpan.FromSeconds(15)));
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_registry_answering_503_is_retried_and_the_warm_run_still_hits(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/unavailable-{Guid.NewGuid().ToString("N")[..8]}", BuilderKind.BuildKit, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();
        await PipelineRunner.PublishAsync(options, log, cancellationToken);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();

        proxy.Mode = FaultMode.ServiceUnavailable;
        var heal = ReliabilitySupport.WhenAsync(() => log.Retries().Count > 0, () => proxy.Mode = FaultMode.Pass, TimeSpan.FromSeconds(60), cancellationToken);
        var warm = await PipelineRunner.PublishAsync(options, log, cancellationToken);
        await heal;

        Assert.Multiple(() =>
        {
            Assert.That(log.Retries(), Has.Some.Contains("registry check of").And.Some.Contains("503"));
            Assert.That(proxy.Faults, Is.GreaterThan(0));
            Assert.That(warm.StepOf(PipelineStep.ResolveCache).Outcome, Is.EqualTo(StepOutcome.Succeeded), "recovered, not degraded");
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_cache_pull_that_stalls_mid_transfer_degrades_to_a_cold_build(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        // A layer big enough to stall in: the sample's own layers are a few hundred bytes.
        sample.Edit("Dockerfile", text => text.Replace("WORKDIR /src", "WORKDIR /src\nRUN head -c 2000000 /dev/urandom > /src/blob", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/pull-stall-{Guid.NewGuid().ToString("N")[..8]}", BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries(stallTimeout: TimeSpan.FromSeconds(3));
        options.Retry.MaxRetryAttempts = 1;
        await PipelineRunner.PublishAsync(options, log, cancellationToken);
        await EngineReset.EmptyAsync();

        // Manifests (a few KB per connection) pass; layer blobs stop half-way.
        proxy.FaultAfterBytes = 64 * 1024;
        proxy.Mode = FaultMode.Stall;
        options.Push = false;
        var clock = Stopwatch.StartNew();
        var warm = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        var resolve = warm.StepOf(PipelineStep.ResolveCache);
        Assert.Multiple(() =>
        {
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(resolve.Message, Does.Contain("pull of").And.Contain("stalled"));
            Assert.That(resolve.Duration, Is.LessThan(TimeSpan.FromSeconds(30)), "two stalled attempts of 3 s each, pulled in parallel");
            Assert.That(warm.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(warm.Runs("builder"), Has.All.Matches<InstructionRecord>(i => !i.Cached), "cold, as promised");
        });
        TestContext.Progress.WriteLine($"warm run with a stalling registry: {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
