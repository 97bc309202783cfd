using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

/// <summary>
/// The sum on real builds: a cold run teaches history, a warm run on an emptied engine (a fresh
/// runner) reads it back from the registry and knows what each cache hit saved. This is the flow
/// the pipeline runs; the history calls are made here explicitly so the test pins the identity
/// of real builder output, whoever wires them.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class TimeSavedTests
{
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_warm_run_on_a_fresh_runner_knows_what_every_cache_hit_saved(BuilderKind builder)
    {
        using var sample = SampleProject.Create(slowSeconds: 2);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("time-saved"), builder, CacheMode.Registry);
        var settings = CacheFromSettings.Resolve(options, new Dictionary<string, string?>());
        var store = new CacheHistoryStore(log.Logger);

        var cold = await PipelineRunner.PublishAsync(options, log);
        using (var registry = new RegistryClient(settings.Retry, TimeProvider.System, log.Logger))
        {
            var history = await store.ReadAsync(settings, registry);
            await store.WriteAsync(settings, registry, history.Merge(cold));
        }

        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, warmLog);
        using (var registry = new RegistryClient(settings.Retry, TimeProvider.System, log.Logger))
            (await store.ReadAsync(settings, registry)).Apply(warm);
        var summary = RunSummary.Compute(warm);

        Assert.That(RunSummary.Compute(cold).CachedInstructions, Is.Zero, "a cold run's repeats of the builder stage are not cache hits");
        if (await ClassicCacheOnContainerdStore.AppliesAsync(builder))
        {
            // The engine refused the cache it was given: the sum says nothing was cached, not that no cache existed.
            ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            Assert.That(summary.CachedInstructions, Is.Zero);
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.DidNotPayOff));
            Assert.That(summary.Verdict, Does.Contain("nothing was cached").And.Not.Contain("no cache existed"));
            return;
        }

        Assert.Multiple(() =>
        {
            Assert.That(summary.CachedInstructions, Is.GreaterThanOrEqualTo(2), "both slow builder steps hit");
            Assert.That(summary.TimeSavedKnownFor, Is.EqualTo(summary.CachedInstructions), "history knows every hit");
            Assert.That(summary.TimeSaved!.Value.TotalSeconds, Is.GreaterThan(3.5), "two 2 s sleeps saved");
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.PaidOff), summary.Verdict);
            Assert.That(warm.Runs("builder").Select(i => i.ColdDuration?.TotalSeconds).ToList(), Has.Count.EqualTo(2).And.All.GreaterThan(1.9));
        });
    }
}
