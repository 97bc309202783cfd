using CacheFrom.Configuration;
using CacheFrom.FetchCost;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Recording;

namespace CacheFrom.Tests.FetchCost;

/// <summary>The prediction and the decision from histories built here: no engine, no clock.</summary>
public sealed class FetchCostPredictorTests
{
    private const long MiB = 1024 * 1024;
    private static readonly DateTimeOffset Earlier = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_slow_link_and_a_cheap_stage_build_cold_with_the_numbers_recorded()
    {
        // 4 MiB pulled in 4 s earlier: 1 MiB/s. 8 MiB to fetch: 8 s, for 0.5 s saved.
        var history = History(cold: [("RUN make-blob", 0.5)], transfers: [Sample(fetch: true, 4 * MiB, 4)]);

        var decision = Predict(CacheFetchMode.Auto, history, 8 * MiB, "RUN make-blob");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.False);
            Assert.That(decision.Reason, Is.EqualTo("fetching is predicted to cost more than it saves"));
            Assert.That(decision.PredictedBytes, Is.EqualTo(8 * MiB));
            Assert.That(decision.Throughput, Is.EqualTo(1 * MiB));
            Assert.That(decision.ThroughputSamples, Is.EqualTo(1));
            Assert.That(decision.ThroughputFromFetches, Is.True);
            Assert.That(decision.PredictedFetch, Is.EqualTo(TimeSpan.FromSeconds(8)));
            Assert.That(decision.PredictedSaving, Is.EqualTo(TimeSpan.FromSeconds(0.5)));
            Assert.That((decision.HitsPredicted, decision.HitsKnown), Is.EqualTo((1, 1)));
        });
    }

    [Test]
    public void A_fast_link_and_an_expensive_stage_fetch()
    {
        var history = History(cold: [("RUN compile", 60), ("COPY . /src", 0.2)], transfers: [Sample(fetch: true, 100 * MiB, 2)]);

        var decision = Predict(CacheFetchMode.Auto, history, 200 * MiB, "COPY . /src", "RUN compile");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.True);
            Assert.That(decision.Reason, Is.EqualTo("fetching is predicted to pay off"));
            Assert.That(decision.PredictedFetch, Is.EqualTo(TimeSpan.FromSeconds(4)));
            Assert.That(decision.PredictedSaving, Is.EqualTo(TimeSpan.FromSeconds(60.2)));
        });
    }

    [Test]
    public void Always_fetches_what_auto_would_not_and_says_so()
    {
        var history = History(cold: [("RUN make-blob", 0.5)], transfers: [Sample(fetch: true, 4 * MiB, 4)]);

        var decision = Predict(CacheFetchMode.Always, history, 8 * MiB, "RUN make-blob");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.True);
            Assert.That(decision.Reason, Is.EqualTo("docker-cache-fetch is always (predicted to cost more than it saves)"));
            Assert.That(decision.PredictedFetch, Is.EqualTo(TimeSpan.FromSeconds(8)));
        });
    }

    [Test]
    public void Never_builds_cold_even_when_fetching_would_pay_off()
    {
        var history = History(cold: [("RUN compile", 60)], transfers: [Sample(fetch: true, 100 * MiB, 1)]);

        var decision = Predict(CacheFetchMode.Never, history, 1 * MiB, "RUN compile");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.False);
            Assert.That(decision.Reason, Is.EqualTo("docker-cache-fetch is never"));
        });
    }

    [Test]
    public void Without_a_measured_throughput_the_cache_is_fetched()
    {
        var history = History(cold: [("RUN make-blob", 0.1)], transfers: []);

        var decision = Predict(CacheFetchMode.Auto, history, 500 * MiB, "RUN make-blob");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.True);
            Assert.That(decision.Reason, Is.EqualTo("no transfer from this source measured yet"));
            Assert.That(decision.Throughput, Is.Null);
            Assert.That(decision.PredictedFetch, Is.Null);
        });
    }

    [Test]
    public void An_unknown_size_is_fetched()
    {
        var history = History(cold: [("RUN make-blob", 0.1)], transfers: [Sample(fetch: true, 4 * MiB, 40)]);

        var decision = Predict(CacheFetchMode.Auto, history, bytes: null, "RUN make-blob");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.True);
            Assert.That(decision.Reason, Is.EqualTo("the size of the cache is unknown"));
        });
    }

    [Test]
    public void A_hit_whose_cold_duration_history_does_not_know_keeps_the_fetch()
    {
        var history = History(cold: [("RUN make-blob", 0.1)], transfers: [Sample(fetch: true, 4 * MiB, 40)]);

        var decision = Predict(CacheFetchMode.Auto, history, 8 * MiB, "RUN make-blob", "RUN never-measured");

        Assert.Multiple(() =>
        {
            Assert.That(decision.Fetch, Is.True);
            Assert.That(decision.Reason, Is.EqualTo("no cold duration known for 1 of 2 instructions it would serve"));
            Assert.That((decision.HitsPredicted, decision.HitsKnown), Is.EqualTo((2, 1)));
            Assert.That(decision.PredictedSaving, Is.EqualTo(TimeSpan.FromSeconds(0.1)));
        });
    }

    // 1 MiB/s: the predicted fetch time in seconds is the MiB count.
    [TestCase(2.5, 1.0, true, TestName = "A fetch 1.5 s dearer than its saving is within the slack and fetched")]
    [TestCase(10, 7, true, TestName = "A fetch under 1.5 times its saving is fetched")]
    [TestCase(11, 7, false, TestName = "A fetch over 1.5 times its saving and 2 s dearer builds cold")]
    [TestCase(3, 0, false, TestName = "A 3 s fetch that saves nothing builds cold")]
    public void The_margin_needs_both_the_ratio_and_the_slack(double fetchSeconds, double savedSeconds, bool fetch)
    {
        var history = History(cold: [("RUN step", savedSeconds)], transfers: [Sample(fetch: true, 4 * MiB, 4)]);

        var decision = Predict(CacheFetchMode.Auto, history, (long)(fetchSeconds * MiB), "RUN step");

        Assert.That(decision.Fetch, Is.EqualTo(fetch), decision.Reason);
    }

    [Test]
    public void The_throughput_prefers_fetches_ignores_small_transfers_and_uses_the_newest_five()
    {
        List<TransferSample> samples =
        [
            Sample(fetch: false, 100 * MiB, 1, daysAgo: 0), // a store: only a stand-in
            Sample(fetch: true, 1000, 10, daysAgo: 0), // round trips, not the link
            .. Enumerable.Range(1, 5).Select(day => Sample(fetch: true, 2 * MiB, 1, daysAgo: day)),
            Sample(fetch: true, 2 * MiB, 100, daysAgo: 9), // the sixth fetch: too old
        ];

        var throughput = Throughput.Estimate(samples, TransferRecord.Registry);
        var storesOnly = Throughput.Estimate(samples.Where(s => !s.Fetch), TransferRecord.Registry);

        Assert.Multiple(() =>
        {
            Assert.That(throughput, Is.Not.Null);
            Assert.That(throughput!.BytesPerSecond, Is.EqualTo(2.0 * MiB));
            Assert.That(throughput.Samples, Is.EqualTo(5));
            Assert.That(throughput.FromFetches, Is.True);
            Assert.That(storesOnly!.BytesPerSecond, Is.EqualTo(100.0 * MiB));
            Assert.That(storesOnly.FromFetches, Is.False);
            Assert.That(Throughput.Estimate(samples, TransferRecord.Tarball), Is.Null, "another source's transfers say nothing about this one");
        });
    }

    [Test]
    public void BuildKit_fetches_only_the_stage_layers_of_the_steps_it_reuses()
    {
        // Two base layers, then the stage's three (COPY, RUN, RUN); the first two steps are predicted to hit.
        long[] layers = [1000, 2000, 10, 300, 5000];

        Assert.Multiple(() =>
        {
            Assert.That(CacheLayers.Reused(layers, own: 3, reused: 2), Is.EqualTo(310));
            Assert.That(CacheLayers.Reused(layers, own: 3, reused: 0), Is.Zero);
            Assert.That(CacheLayers.Reused(layers, own: 9, reused: 9), Is.EqualTo(8310), "more layer-making steps than layers: every layer");
            Assert.That(CacheLayers.All(layers), Is.EqualTo(8310));
        });
    }

    [Test]
    public void A_compared_stage_is_predicted_to_hit_up_to_its_first_changed_instruction()
    {
        var stage = new StageFingerprint
        {
            Stage = "builder",
            Instructions =
            [
                new InstructionFingerprint { Index = 0, Keyword = "FROM", Text = "FROM base" },
                new InstructionFingerprint { Index = 1, Keyword = "COPY", Text = "COPY Gemfile /app/" },
                new InstructionFingerprint { Index = 2, Keyword = "RUN", Text = "RUN bundle install" },
                new InstructionFingerprint { Index = 3, Keyword = "COPY", Text = "COPY . /app", Change = MissExplanation.Simple(MissKind.FilesChanged, "files changed: app.rb") },
                new InstructionFingerprint { Index = 4, Keyword = "RUN", Text = "RUN bundle install" },
            ],
        };
        var compared = new StageRecord("builder", false, "app:x--builder") { Compared = true, Change = stage.Instructions[3].Change };
        var uncompared = new StageRecord("builder", false, "app:x--builder");

        var hits = PredictedHits.Of(stage, compared);
        var keys = PredictedHits.Keys(stage, PredictedHits.Of(stage, uncompared));

        Assert.Multiple(() =>
        {
            Assert.That(hits.Select(h => h.Index), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(keys, Has.Count.EqualTo(4), "a stage that could not be compared: every instruction");
            Assert.That(keys[3].Single(), Is.EqualTo(new InstructionKey("builder", "RUN bundle install", 2)), "a repeated text is its second occurrence");
        });
    }

    [Test]
    public void History_keeps_the_newest_transfers_across_a_round_trip()
    {
        var record = new RunRecord { StartedAt = Earlier.AddDays(1) };
        record.Transfers.Add(new TransferRecord(TransferRecord.Registry, fetch: false, 3 * MiB, TimeSpan.FromSeconds(1.5)));
        var old = Enumerable.Range(1, CacheHistory.MaxTransfers).Select(day => Sample(fetch: true, 2 * MiB, 1, daysAgo: day));

        var merged = new CacheHistory([], transfers: old).Merge(record);
        var read = CacheHistory.FromJson(merged.ToJson());

        Assert.Multiple(() =>
        {
            Assert.That(read.Transfers, Has.Count.EqualTo(CacheHistory.MaxTransfers));
            Assert.That(read.Transfers[0].Fetch, Is.False);
            Assert.That(read.Transfers[0].Bytes, Is.EqualTo(3 * MiB));
            Assert.That(read.Transfers[0].Seconds, Is.EqualTo(1.5));
            Assert.That(read.Transfers[0].At, Is.EqualTo(record.StartedAt));
            Assert.That(read.Transfers.Skip(1).Select(t => t.At), Is.Ordered.Descending);
            Assert.That(CacheHistory.FromJson(new CacheHistory([]).ToJson()).ToJson(), Does.Not.Contain("transfers"), "an empty list is not written");
        });
    }

    private static FetchDecisionRecord Predict(CacheFetchMode mode, CacheHistory history, long? bytes, params string[] hits) =>
        FetchCostPredictor.Predict(mode, history, "builder", TransferRecord.Registry, "127.0.0.1:5000/app:main--builder", bytes,
            hits.Select(h => (IReadOnlyList<InstructionKey>)[new InstructionKey("builder", h, 1)]).ToList());

    private static CacheHistory History(IEnumerable<(string Text, double Seconds)> cold, IEnumerable<TransferSample> transfers) =>
        new(cold.Select(c => new CacheHistoryEntry("builder", c.Text, 1, c.Seconds, Earlier, Earlier, 1)), transfers: transfers);

    private static TransferSample Sample(bool fetch, long bytes, double seconds, int daysAgo = 1) =>
        new(TransferRecord.Registry, fetch, bytes, seconds, Earlier.AddDays(-daysAgo));
}
