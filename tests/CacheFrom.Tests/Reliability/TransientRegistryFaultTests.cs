using System.Diagnostics;
using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A fault-injecting proxy between the engine and the registry: cache reads degrade to a cold
/// build, pushes succeed after retries or fail clearly, nothing hangs. The proxy heals itself after
/// a set number of faulted connections; durations are logged, not asserted (the attempt counts and
/// messages are what the product promises; [CancelAfter] is only the hang guard).
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class TransientRegistryFaultTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task A_push_through_resetting_connections_succeeds_once_the_registry_recovers(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var repository = $"cachefrom-tests/reset-{Guid.NewGuid().ToString("N")[..8]}";
        // The builder does not matter to a push; the classic one builds on every engine, the containerd store included.
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/{repository}", BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();
        var log = new TestLogger();
        await using var pipeline = await CacheFrom.Pipeline.CachePipeline.OpenAsync(options, log.Logger, cancellationToken: cancellationToken);
        await pipeline.ResolveCacheAsync(cancellationToken);
        await pipeline.BuildBuilderStageAsync(cancellationToken);
        await pipeline.BuildFinalStageAsync(cancellationToken);
        var retriesBefore = log.Retries().Count;

        // The first push attempt's connections (the engine tries https, then http) are reset at once; then the registry is back.
        proxy.FaultAfterBytes = 0;
        proxy.Mode = FaultMode.Reset;
        proxy.HealAfter(2);
        await pipeline.PushAllAsync(cancellationToken);

        TestContext.Progress.WriteLine($"proxy: {proxy.Connections} connections, {proxy.Faults} faults");
        Assert.Multiple(() =>
        {
            Assert.That(retriesBefore, Is.Zero, "nothing was retried before the faults");
            Assert.That(proxy.Faults, Is.EqualTo(2), "the faults bit");
            Assert.That(log.Retries(), Has.Some.Contains($"push of {options.Image}:feature-x "), "the final image's push was retried");
            Assert.That(pipeline.Record.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
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

        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        await using var pipeline = await CacheFrom.Pipeline.CachePipeline.OpenAsync(options, log.Logger, sessions, cancellationToken);
        await pipeline.ResolveCacheAsync(cancellationToken);
        await pipeline.BuildBuilderStageAsync(cancellationToken);
        await pipeline.BuildFinalStageAsync(cancellationToken);
        proxy.Mode = FaultMode.Stall;
        proxy.FaultAfterBytes = 0;
        var clock = Stopwatch.StartNew();
        var exception = Assert.ThrowsAsync<RegistryException>(() => pipeline.PushAllAsync(cancellationToken));
        clock.Stop();

        TestContext.Progress.WriteLine($"push failed after {clock.Elapsed.TotalSeconds:0.0} s (two stalled attempts of 3 s): {exception!.Message}");
        Assert.That(exception.Message, Does.Contain("Pushing the image").And.Contain("stalled: no progress from the engine for 3 s").And.Contain("2 attempts").And.Contain(proxy.Address));
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
        TestContext.Progress.WriteLine($"ResolveCache with a stalling registry took {resolve.Duration.TotalSeconds:0.0} s (two attempts of 2 s)");
        Assert.Multiple(() =>
        {
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(resolve.Message, Does.Contain("timed out after 2 s").And.Contain("2 attempts"));
            Assert.That(record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_registry_answering_503_is_retried_and_the_warm_run_still_hits(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass);
        using var sample = SampleProject.Create(slowSeconds: 1);
        // The builder does not matter to the check; BuildKit (the default) hits on every engine, the containerd store included.
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/unavailable-{Guid.NewGuid().ToString("N")[..8]}", BuilderKind.BuildKit, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();
        await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();

        // The warm run's first check gets 503s: its ping and its HEAD of the manifest, which the engine shrugs off, and then
        // the GET of the manifest, which fails the attempt. Then the registry is back.
        proxy.Mode = FaultMode.ServiceUnavailable;
        proxy.HealAfter(3);
        var log = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, log, cancellationToken);

        TestContext.Progress.WriteLine($"proxy: {proxy.Connections} connections, {proxy.Faults} faults: {string.Join(", ", proxy.FaultedRequests)}");
        Assert.Multiple(() =>
        {
            Assert.That(proxy.Faults, Is.EqualTo(3), "the faults bit");
            Assert.That(log.Retries(), Has.Some.Contains("registry check of").And.Some.Contains("503"), "the check was retried");
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
        // A layer big enough to stall in: the sample's own layers are a few hundred bytes.
        sample.Edit("Dockerfile", text => text.Replace("WORKDIR /src", "WORKDIR /src\nRUN head -c 2000000 /dev/urandom > /src/blob", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, $"{proxy.Address}/cachefrom-tests/pull-stall-{Guid.NewGuid().ToString("N")[..8]}", BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries(stallTimeout: TimeSpan.FromSeconds(3));
        options.Retry.MaxRetryAttempts = 1;
        await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);
        await EngineReset.EmptyAsync();

        // Manifests (a few KB per connection) pass; layer blobs stop half-way.
        proxy.FaultAfterBytes = 64 * 1024;
        proxy.Mode = FaultMode.Stall;
        options.Push = false;
        var clock = Stopwatch.StartNew();
        var warm = await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);

        var resolve = warm.StepOf(PipelineStep.ResolveCache);
        TestContext.Progress.WriteLine($"ResolveCache with a pull stalling mid-transfer took {resolve.Duration.TotalSeconds:0.0} s (two stalled attempts of 3 s each, pulled in parallel)");
        Assert.Multiple(() =>
        {
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded));
            Assert.That(resolve.Message, Does.Contain("pull of").And.Contain("stalled: no progress from the engine for 3 s").And.Contain("2 attempts"));
            Assert.That(warm.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(3).And.All.Matches<InstructionRecord>(i => !i.Cached), "cold, as promised (the blob step and the two builder steps)");
        });
        TestContext.Progress.WriteLine($"warm run with a stalling registry: {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
