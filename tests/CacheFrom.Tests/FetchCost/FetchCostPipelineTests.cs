using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.FetchCost;

/// <summary>
/// The fetch prediction on a real engine and registry. A run through a slow link (the fault proxy
/// paced to 512 KiB/s) measures its push; the next run, on an emptied engine, predicts the fetch of
/// a cheap stage's 4 MiB layer from that and builds cold, with the reason in the record and the
/// reports; docker-cache-fetch always fetches it anyway. A fast registry (paced to 4 MiB/s) and an expensive stage fetch.
/// Assertions are on the decision and the recorded numbers, never on how long anything took.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class FetchCostPipelineTests
{
    private const long MiB = 1024 * 1024;

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [CancelAfter(300_000)]
    public async Task A_cheap_stage_behind_a_slow_registry_builds_cold_and_always_fetches_it_anyway(BuilderKind builder, CancellationToken cancellationToken)
    {
        await EngineReset.EmptyAsync();
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass, TimeSpan.FromMinutes(5));
        proxy.BytesPerSecond = 512 * 1024;
        using var folder = Dockerfile($"FROM {TestEnvironment.BaseImage}\nRUN head -c {4 * MiB} /dev/urandom > /blob\n");
        var repository = $"{proxy.Address}/cachefrom-tests/fetch-slow-{Guid.NewGuid().ToString("N")[..8]}";
        var log = new TestLogger();

        var first = await PipelineRunner.PublishAsync(Options(folder, repository, builder: builder), log, cancellationToken);
        var push = first.Transfers.Single(t => t.Source == TransferRecord.Registry && !t.Fetch);
        TestContext.Progress.WriteLine($"first run pushed {push.Bytes} bytes in {push.Duration.TotalSeconds:0.0} s");
        Assert.Multiple(() =>
        {
            Assert.That(first.FetchDecisions, Is.Empty, "no cache existed: nothing to decide");
            Assert.That(push.Bytes, Is.GreaterThanOrEqualTo(4 * MiB), "the push of the final image was measured");
        });

        await EngineReset.EmptyAsync();
        var cold = await PipelineRunner.PublishAsync(Options(folder, repository, push: false, builder: builder), log, cancellationToken);
        var decision = cold.FetchDecisions.Single();
        TestContext.Progress.WriteLine($"predicted {decision.PredictedBytes} bytes at {decision.Throughput} B/s: {decision.PredictedFetch?.TotalSeconds:0.0} s to fetch, {decision.PredictedSaving?.TotalSeconds:0.0} s saved");
        Assert.Multiple(() =>
        {
            Assert.That(decision.Stage, Is.EqualTo("final"));
            Assert.That(decision.Reference, Is.EqualTo($"{repository}:feature-x"));
            Assert.That(decision.Fetch, Is.False, decision.Reason);
            Assert.That(decision.Reason, Is.EqualTo("fetching is predicted to cost more than it saves"));
            Assert.That(decision.PredictedBytes, Is.GreaterThanOrEqualTo(4 * MiB), "the RUN's layer, from the winner's manifest");
            Assert.That(decision.Throughput, Is.EqualTo(push.Bytes / push.Duration.TotalSeconds).Within(0.1).Percent, "the first run's push is the only measurement (history keeps milliseconds)");
            Assert.That(decision.ThroughputFromFetches, Is.False);
            Assert.That(decision.PredictedFetch!.Value.TotalSeconds, Is.EqualTo(decision.PredictedBytes!.Value / decision.Throughput!.Value).Within(0.01));
            Assert.That(decision.PredictedSaving, Is.EqualTo(TimeSpan.FromSeconds(Math.Round(first.Runs("final").Single().Duration.TotalSeconds, 3))), "the first run's cold RUN");
            Assert.That(cold.Stages.Single().Winner, Is.Null);
            Assert.That(cold.Runs("final").Single().Cached, Is.False);
            Assert.That(cold.Runs("final").Single().Miss?.Kind, Is.EqualTo(MissKind.NotFetched));
        });
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(ReportPath(folder, "cachefrom-report.json"), cancellationToken)))
        {
            var reported = report.RootElement.GetProperty("fetchDecisions").EnumerateArray().Single();
            Assert.Multiple(() =>
            {
                Assert.That(reported.GetProperty("fetched").GetBoolean(), Is.False);
                Assert.That(reported.GetProperty("reason").GetString(), Is.EqualTo(decision.Reason));
                Assert.That(reported.GetProperty("predictedBytes").GetInt64(), Is.EqualTo(decision.PredictedBytes));
                Assert.That(reported.GetProperty("builtInstructions").GetInt32(), Is.EqualTo(1));
                Assert.That(report.RootElement.GetProperty("summary").GetProperty("notFetched").GetInt32(), Is.EqualTo(1));
            });
        }

        Assert.That(await File.ReadAllTextAsync(ReportPath(folder, "cachefrom-report.md"), cancellationToken),
            Does.Contain("| final | `" + repository + ":feature-x` | built cold |").And.Contain("fetching is predicted to cost more than it saves"));

        await EngineReset.EmptyAsync();
        var always = await PipelineRunner.PublishAsync(Options(folder, repository, push: false, fetch: CacheFetchMode.Always, builder: builder), log, cancellationToken);
        var forced = always.FetchDecisions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(forced.Fetch, Is.True);
            Assert.That(forced.Mode, Is.EqualTo(CacheFetchMode.Always));
            Assert.That(forced.Reason, Is.EqualTo("docker-cache-fetch is always (predicted to cost more than it saves)"));
            Assert.That(always.Stages.Single().Winner, Is.EqualTo($"{repository}:feature-x"));
            Assert.That(always.Runs("final").Single().Cached, Is.True, "the cache was fetched and hit");
            if (builder == BuilderKind.Classic)
                Assert.That(always.Transfers.Single(t => t.Fetch).Bytes, Is.GreaterThanOrEqualTo(4 * MiB), "the classic pull was measured for the next prediction");
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task An_expensive_stage_behind_a_fast_registry_is_fetched(CancellationToken cancellationToken)
    {
        await EngineReset.EmptyAsync();
        // Paced only so that the engine reports the push's progress (a push over loopback can end before its first report, and then counts no bytes).
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Pass, TimeSpan.FromMinutes(5));
        proxy.BytesPerSecond = 4 * MiB;
        using var folder = Dockerfile($"FROM {TestEnvironment.BaseImage}\nRUN sleep 3 && head -c {2 * MiB} /dev/urandom > /blob\n");
        var repository = $"{proxy.Address}/cachefrom-tests/fetch-fast-{Guid.NewGuid().ToString("N")[..8]}";
        var log = new TestLogger();

        var first = await PipelineRunner.PublishAsync(Options(folder, repository), log, cancellationToken);
        await EngineReset.EmptyAsync();
        var warm = await PipelineRunner.PublishAsync(Options(folder, repository, push: false), log, cancellationToken);

        var decision = warm.FetchDecisions.Single();
        TestContext.Progress.WriteLine($"predicted {decision.PredictedBytes} bytes at {decision.Throughput} B/s: {decision.PredictedFetch?.TotalSeconds:0.00} s to fetch, {decision.PredictedSaving?.TotalSeconds:0.0} s saved");
        Assert.Multiple(() =>
        {
            Assert.That(first.Transfers.Where(t => t.Source == TransferRecord.Registry && !t.Fetch).Sum(t => t.Bytes), Is.GreaterThanOrEqualTo(2 * MiB));
            Assert.That(decision.Fetch, Is.True, decision.Reason);
            Assert.That(decision.Reason, Is.EqualTo("fetching is predicted to pay off"));
            Assert.That(decision.PredictedBytes, Is.GreaterThanOrEqualTo(2 * MiB));
            Assert.That(decision.Throughput, Is.Not.Null);
            Assert.That(decision.PredictedSaving, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(3)), "the cold RUN slept 3 s");
            Assert.That((decision.HitsPredicted, decision.HitsKnown), Is.EqualTo((1, 1)));
            Assert.That(warm.Runs("final").Single().Cached, Is.True);
            Assert.That(CacheFrom.Reporting.RunSummary.Compute(warm).PredictedTimeSaved, Is.EqualTo(decision.PredictedSaving));
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task A_tarball_that_history_says_loads_slowly_is_not_loaded_and_every_stage_builds_cold(CancellationToken cancellationToken)
    {
        await EngineReset.EmptyAsync();
        using var folder = Dockerfile($"FROM {TestEnvironment.BaseImage} AS builder\nRUN head -c {2 * MiB} /dev/urandom > /blob\nFROM builder\nRUN echo done > /done\n");
        var image = TestEnvironment.UniqueLocalRepository("fetch-tarball");
        var log = new TestLogger();
        var options = Options(folder, image, push: false, cache: CacheMode.Tarball);
        var first = await PipelineRunner.PublishAsync(options, log, cancellationToken);
        var save = first.Transfers.Single(t => t.Source == TransferRecord.Tarball && !t.Fetch);

        // A store on a slow share: the history the next run reads says the last load ran at 10 KiB/s.
        var historyPath = Path.Combine(folder.Directory, CacheFromDefaults.CacheDir, "history.json");
        var written = CacheFrom.History.CacheHistory.FromJson(await File.ReadAllTextAsync(historyPath, cancellationToken));
        var slow = new TransferSample(TransferRecord.Tarball, fetch: true, 2 * MiB, 2 * MiB / (10.0 * 1024), first.StartedAt);
        await File.WriteAllTextAsync(historyPath, new CacheFrom.History.CacheHistory(written.Entries, written.Fingerprints, [slow]).ToJson(), cancellationToken);
        await EngineReset.EmptyAsync();

        var cold = await PipelineRunner.PublishAsync(Options(folder, image, push: false, cache: CacheMode.Tarball), log, cancellationToken);
        var decision = cold.FetchDecisions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(save.Bytes, Is.GreaterThan(2 * MiB), "the save was measured");
            Assert.That(decision.Stage, Is.Null, "a tarball holds every stage");
            Assert.That(decision.Source, Is.EqualTo(TransferRecord.Tarball));
            Assert.That(decision.Fetch, Is.False, decision.Reason);
            Assert.That(decision.Throughput, Is.EqualTo(10 * 1024));
            Assert.That(decision.Reference, Does.StartWith(Path.Combine(folder.Directory, CacheFromDefaults.CacheDir)));
            Assert.That(decision.PredictedBytes, Is.EqualTo(new FileInfo(decision.Reference).Length), "all of the tarball");
            Assert.That(decision.HitsPredicted, Is.EqualTo(2), "both RUNs the saving run built");
            Assert.That(cold.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.Zero);
            Assert.That(cold.StepOf(PipelineStep.LoadTarball).Message, Does.StartWith("not loaded ").And.Contain("fetching is predicted to cost more than it saves"));
            Assert.That(cold.Instructions.Where(i => i.Text.StartsWith("RUN", StringComparison.Ordinal)).Select(i => i.Cached), Is.EqualTo(new[] { false, false }));
        });
    }

    private static ContextFolder Dockerfile(string text) => new ContextFolder().Write("Dockerfile", text);

    private static CacheFromOptions Options(ContextFolder folder, string image, bool push = true, CacheFetchMode? fetch = null,
        BuilderKind builder = BuilderKind.BuildKit, CacheMode cache = CacheMode.Registry) => new()
    {
        Image = image,
        Tag = "feature-x",
        Builder = builder,
        Cache = cache,
        Push = push,
        CacheFetch = fetch,
        // The runs rebuild unchanged inputs on purpose: an unchanged stage is otherwise not built, and nothing is fetched to weigh.
        Skip = false,
        Context = folder.Directory,
        WorkingDirectory = folder.Directory,
    };

    private static string ReportPath(ContextFolder folder, string name) => Path.Combine(folder.Directory, CacheFromDefaults.ReportDir, name);
}
