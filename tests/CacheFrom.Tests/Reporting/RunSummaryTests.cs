using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Reporting;

namespace CacheFrom.Tests.Reporting;

public sealed class RunSummaryTests
{
    [Test]
    public void A_warm_run_with_history_adds_up_fetch_store_build_and_the_time_saved()
    {
        var summary = RunSummary.Compute(RunRecords.Warm());

        Assert.Multiple(() =>
        {
            Assert.That(summary.FetchTime, Is.EqualTo(TimeSpan.FromSeconds(1.5)));
            Assert.That(summary.StoreTime, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(summary.BuildTime, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
            Assert.That(summary.TotalTime, Is.EqualTo(TimeSpan.FromSeconds(6)));
            // (30 − 0.01) + (12 − 0.01): each cached instruction once, minus what the hit itself took.
            Assert.That(summary.TimeSaved!.Value.TotalSeconds, Is.EqualTo(41.98).Within(1e-9));
            Assert.That(summary.TimeSavedKnownFor, Is.EqualTo(2));
            Assert.That(summary.TimeSavedIsPartial, Is.False);
            Assert.That(summary.Net!.Value.TotalSeconds, Is.EqualTo(41.98 - 3.5).Within(1e-9));
            Assert.That(summary.CachedInstructions, Is.EqualTo(2));
            Assert.That(summary.BuiltInstructions, Is.EqualTo(2));
            Assert.That(summary.BytesPulled, Is.EqualTo(1000));
            Assert.That(summary.BytesPushed, Is.EqualTo(2048));
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.PaidOff));
            Assert.That(summary.Verdict, Is.EqualTo("Cache paid off: saved 42.0 s for 3.5 s of fetching and storing."));
        });
    }

    [Test]
    public void Stages_count_their_cached_and_built_instructions_and_name_the_winner()
    {
        var summary = RunSummary.Compute(RunRecords.Warm());

        Assert.That(summary.Stages.Select(s => (s.Name, s.IsFinal, s.CachedInstructions, s.BuiltInstructions, s.Winner)), Is.EqualTo(new[]
        {
            ("builder", false, 2, 0, (string?)"127.0.0.1:5000/app:main--builder"),
            ("stage-1", true, 0, 2, (string?)"127.0.0.1:5000/app:main"),
        }));
    }

    [Test]
    public void Without_history_the_time_saved_is_unknown_and_the_verdict_says_so()
    {
        var summary = RunSummary.Compute(RunRecords.Warm(systemCold: null, dependenciesCold: null));

        Assert.Multiple(() =>
        {
            Assert.That(summary.TimeSaved, Is.Null);
            Assert.That(summary.Net, Is.Null);
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.Unknown));
            Assert.That(summary.Verdict, Does.StartWith("Unknown:").And.Contain("no history yet").And.Contain("the next run will know"));
            Assert.That(summary.SavedText(), Is.EqualTo("unknown"));
            Assert.That(summary.ToHeadline()["Time saved"], Is.EqualTo("unknown"));
            Assert.That(summary.ToHeadline().ContainsKey("Net"), Is.False);
        });
    }

    [Test]
    public void With_partial_history_the_saving_is_a_lower_bound_that_says_how_much_is_known()
    {
        var summary = RunSummary.Compute(RunRecords.Warm(systemCold: 30, dependenciesCold: null));

        Assert.Multiple(() =>
        {
            Assert.That(summary.TimeSaved!.Value.TotalSeconds, Is.EqualTo(29.99).Within(1e-9));
            Assert.That(summary.TimeSavedIsPartial, Is.True);
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.PaidOff));
            Assert.That(summary.Verdict, Is.EqualTo("Cache paid off: saved at least 30.0 s (known for 1 of 2 cached instructions) for 3.5 s of fetching and storing."));
        });
    }

    [Test]
    public void A_partial_saving_below_the_cost_is_unclear_not_a_loss()
    {
        var summary = RunSummary.Compute(RunRecords.Warm(systemCold: 1, dependenciesCold: null));

        Assert.Multiple(() =>
        {
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.Unclear));
            Assert.That(summary.Verdict, Does.StartWith("Unclear: saved at least 1.0 s (known for 1 of 2 cached instructions)"));
        });
    }

    [Test]
    public void A_saving_below_the_cost_did_not_pay_off()
    {
        var summary = RunSummary.Compute(RunRecords.Warm(systemCold: 1, dependenciesCold: 1));

        Assert.Multiple(() =>
        {
            Assert.That(summary.Net!.Value.TotalSeconds, Is.EqualTo(1.98 - 3.5).Within(1e-9));
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.DidNotPayOff));
            Assert.That(summary.Verdict, Is.EqualTo("Cache did not pay off: saved 2.0 s for 3.5 s of fetching and storing."));
            Assert.That(summary.ToHeadline()["Net"], Is.EqualTo("−1.5 s"));
        });
    }

    [Test]
    public void A_cold_run_counts_the_final_builds_repeat_of_the_builder_stage_as_built_not_as_a_cache_hit()
    {
        var record = RunRecords.New();
        record.Step(PipelineStep.ResolveCache, 0.1);
        record.Step(PipelineStep.BuildBuilderStage, 42);
        record.Step(PipelineStep.BuildFinalStage, 2);
        record.Step(PipelineStep.PushAll, 3);
        record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN slow", cached: false, 42);
        record.Instruction(PipelineStep.BuildFinalStage, "builder", "RUN slow", cached: true, 0);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN app", cached: false, 2);

        var summary = RunSummary.Compute(record);

        Assert.Multiple(() =>
        {
            Assert.That(summary.CachedInstructions, Is.EqualTo(0));
            Assert.That(summary.BuiltInstructions, Is.EqualTo(2));
            Assert.That(summary.TimeSaved, Is.EqualTo(TimeSpan.Zero));
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.DidNotPayOff));
            Assert.That(summary.Verdict, Is.EqualTo(
                "Cache did not pay off: no cache existed yet (a cold run; the next run can use what this one stored); fetching and storing took 3.1 s."));
        });
    }

    [Test]
    public void A_cache_that_was_found_but_hit_nothing_did_not_pay_off()
    {
        var record = RunRecords.New();
        record.Step(PipelineStep.ResolveCache, 1);
        record.Step(PipelineStep.BuildFinalStage, 2);
        record.Stages.Add(new StageRecord("stage-0", true, "127.0.0.1:5000/app:main") { Winner = "127.0.0.1:5000/app:main" });
        record.Instruction(PipelineStep.BuildFinalStage, "stage-0", "RUN app", cached: false, 2);

        var summary = RunSummary.Compute(record);

        Assert.That(summary.Verdict, Is.EqualTo("Cache did not pay off: nothing was cached; fetching and storing took 1.0 s."));
    }

    [Test]
    public void A_cache_that_was_found_but_refused_by_the_builder_is_not_called_a_first_run()
    {
        // The classic builder on the containerd image store: the winner is dropped and the stage built cold.
        var record = RunRecords.New();
        record.Step(PipelineStep.ResolveCache, 1);
        record.Step(PipelineStep.BuildFinalStage, 2);
        var stage = new StageRecord("stage-0", true, "127.0.0.1:5000/app:main");
        stage.Candidates.Add(new CandidateRecord("127.0.0.1:5000/app:main", "registry") { Exists = true });
        record.Stages.Add(stage);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-0", "RUN app", cached: false, 2);

        var summary = RunSummary.Compute(record);

        Assert.That(summary.Verdict, Is.EqualTo("Cache did not pay off: nothing was cached; fetching and storing took 1.0 s."));
    }

    [Test]
    public void FROM_is_neither_a_cache_hit_nor_built_work()
    {
        var record = RunRecords.New();
        record.Step(PipelineStep.BuildFinalStage, 2);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-0", "FROM docker.io/cachefrom/busybox:1.35.0", cached: true, 0);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-0", "RUN app", cached: false, 2);

        var summary = RunSummary.Compute(record);

        Assert.Multiple(() =>
        {
            Assert.That(summary.CachedInstructions, Is.Zero);
            Assert.That(summary.BuiltInstructions, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_run_without_cache_says_no_cache()
    {
        var record = RunRecords.New(CacheMode.None);
        record.Step(PipelineStep.BuildFinalStage, 5);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-0", "RUN x", cached: false, 5);

        var summary = RunSummary.Compute(record);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Outcome, Is.EqualTo(CacheVerdict.NoCache));
            Assert.That(summary.ToHeadline()["Cache"], Is.EqualTo("none"));
        });
    }

    [Test]
    public void An_empty_record_sums_to_zero_without_throwing()
    {
        var summary = RunSummary.Compute(RunRecords.New());

        Assert.Multiple(() =>
        {
            Assert.That(summary.TotalTime, Is.EqualTo(TimeSpan.Zero));
            Assert.That(summary.Stages, Is.Empty);
            Assert.That(summary.Verdict, Does.Contain("no instructions were recorded"));
        });
    }

    [Test]
    public void The_headline_has_the_figures_a_host_shows()
    {
        var headline = RunSummary.Compute(RunRecords.Warm()).ToHeadline();

        Assert.That(headline, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["Cache"] = "paid off",
            ["Time saved"] = "42.0 s",
            ["Fetch + store"] = "3.5 s",
            ["Instructions cached"] = "2/4",
            ["Net"] = "+38.5 s",
        }));
    }
}
