using CacheFrom.Configuration;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

public sealed class CacheHistoryTests
{
    [Test]
    public void A_cold_run_teaches_history_the_durations_of_what_it_built()
    {
        var history = CacheHistory.Empty.Merge(Cold(systemSeconds: 30, dependencySeconds: 12));

        Assert.Multiple(() =>
        {
            Assert.That(history.Count, Is.EqualTo(3));
            Assert.That(history.ColdDuration(new InstructionKey("builder", "RUN echo installing system packages", 1)), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(history.ColdDuration(new InstructionKey("builder", "RUN echo resolving dependencies", 1)), Is.EqualTo(TimeSpan.FromSeconds(12)));
        });
    }

    [Test]
    public void Applying_history_fills_the_cold_durations_of_cached_instructions_only()
    {
        var history = CacheHistory.Empty.Merge(Cold(30, 12));
        var warm = RunRecords.Warm(systemCold: null, dependenciesCold: null);

        history.Apply(warm);

        Assert.Multiple(() =>
        {
            Assert.That(warm.Instructions.Where(i => i.Cached).Select(i => i.ColdDuration?.TotalSeconds), Is.EqualTo(new double?[] { 30, 12, 30, 12 }));
            Assert.That(warm.Instructions.Where(i => !i.Cached).Select(i => i.ColdDuration), Is.Not.Empty.And.All.Null);
            Assert.That(RunSummary.Compute(warm).Outcome, Is.EqualTo(CacheVerdict.PaidOff));
        });
    }

    [Test]
    public void Whitespace_differences_do_not_change_an_instructions_identity()
    {
        var history = CacheHistory.Empty.Merge(Cold(30, 12));
        var warm = RunRecords.New();
        warm.Instruction(PipelineStep.BuildBuilderStage, "builder", "  RUN   echo installing\tsystem packages ", cached: true, 0);

        history.Apply(warm);

        Assert.That(warm.Instructions[0].ColdDuration, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void A_newer_cold_measurement_replaces_the_old_and_a_cache_hit_keeps_it()
    {
        var first = CacheHistory.Empty.Merge(Cold(30, 12));
        var second = first.Merge(Cold(25, 10, start: RunRecords.Start.AddDays(1)));
        var third = second.Merge(RunRecords.Warm(null, null));
        var key = new InstructionKey("builder", "RUN echo installing system packages", 1);

        var entry = third.Entries.Single(e => e.Key == key);
        Assert.Multiple(() =>
        {
            Assert.That(third.ColdDuration(key), Is.EqualTo(TimeSpan.FromSeconds(25)));
            Assert.That(entry.Observations, Is.EqualTo(2));
            Assert.That(entry.ObservedAt, Is.EqualTo(RunRecords.Start.AddDays(1)));
        });
    }

    [Test]
    public void Only_a_run_that_built_something_has_new_measurements()
    {
        var noChange = RunRecords.New();
        noChange.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo installing system packages", cached: true, 0);
        noChange.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN echo built", cached: true, 0);

        var learned = CacheHistory.Empty.Merge(Cold(30, 12));
        var unchanged = learned.Merge(noChange);

        Assert.Multiple(() =>
        {
            Assert.That(learned.HasNewMeasurements, Is.True);
            Assert.That(unchanged.HasNewMeasurements, Is.False, "a run that only hit the cache learned nothing");
            Assert.That(unchanged.ColdDuration(new InstructionKey("builder", "RUN echo installing system packages", 1)), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(new CacheHistory(learned.Entries).HasNewMeasurements, Is.False, "a history read back is not new");
        });
    }

    [Test]
    public void Instructions_with_the_same_text_in_one_stage_are_told_apart_by_occurrence()
    {
        var record = RunRecords.New();
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN make", cached: false, 5);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN make", cached: false, 7);

        var history = CacheHistory.Empty.Merge(record);

        Assert.Multiple(() =>
        {
            Assert.That(history.ColdDuration(new InstructionKey("stage-1", "RUN make", 1)), Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(history.ColdDuration(new InstructionKey("stage-1", "RUN make", 2)), Is.EqualTo(TimeSpan.FromSeconds(7)));
        });
    }

    [Test]
    public void History_keeps_the_most_recently_used_entries_when_it_grows_too_large()
    {
        var old = Enumerable.Range(0, CacheHistory.MaxEntries)
            .Select(n => new CacheHistoryEntry("s", "RUN old " + n, 1, 1, RunRecords.Start.AddDays(-10), RunRecords.Start.AddDays(-10), 1));
        var history = new CacheHistory(old).Merge(Cold(30, 12));

        Assert.Multiple(() =>
        {
            Assert.That(history.Count, Is.EqualTo(CacheHistory.MaxEntries));
            Assert.That(history.ColdDuration(new InstructionKey("builder", "RUN echo resolving dependencies", 1)), Is.Not.Null);
        });
    }

    [Test]
    public void History_round_trips_through_json()
    {
        var history = CacheHistory.Empty.Merge(Cold(30, 12));

        var read = CacheHistory.FromJson(history.ToJson());

        Assert.That(read.ToJson(), Is.EqualTo(history.ToJson()));
    }

    [Test]
    public async Task Tarball_history_round_trips_through_the_cache_directory()
    {
        using var project = SampleProject.Create();
        var settings = Settings(project, CacheMode.Tarball);
        var log = new TestLogger();
        var store = new CacheHistoryStore(log.Logger);

        var before = await store.ReadAsync(settings, registry: null);
        await store.WriteAsync(settings, registry: null, before.Merge(Cold(30, 12)));
        var after = await store.ReadAsync(settings, registry: null);

        Assert.Multiple(() =>
        {
            Assert.That(before.Count, Is.Zero);
            Assert.That(after.Count, Is.EqualTo(3));
            Assert.That(File.Exists(Path.Combine(settings.CacheDir, "history.json")), Is.True);
            Assert.That(Directory.GetFiles(settings.CacheDir), Has.Length.EqualTo(1), "no temp file left");
            Assert.That(log.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task A_corrupt_tarball_history_is_a_warning_and_unknown_never_a_failure()
    {
        using var project = SampleProject.Create();
        var settings = Settings(project, CacheMode.Tarball);
        Directory.CreateDirectory(settings.CacheDir);
        await File.WriteAllTextAsync(Path.Combine(settings.CacheDir, "history.json"), "{ not json");
        var log = new TestLogger();

        var history = await new CacheHistoryStore(log.Logger).ReadAsync(settings, registry: null);

        Assert.Multiple(() =>
        {
            Assert.That(history.Count, Is.Zero);
            Assert.That(log.Warnings, Has.Count.EqualTo(1));
            Assert.That(log.Warnings[0], Does.Contain("could not be read"));
        });
    }

    [Test]
    public void The_history_artifact_is_a_stage_tag_of_the_builds_repository()
    {
        var image = CacheFrom.References.ImageReference.Parse("127.0.0.1:5000/team/app", "feature-x");

        Assert.That(CacheHistoryStore.HistoryReference(image, "main").ToString(), Is.EqualTo("127.0.0.1:5000/team/app:main--cachefrom-history"));
    }

    internal static CacheFromSettings Settings(SampleProject project, CacheMode cache, string? image = null, string tag = "main") =>
        CacheFromSettings.Resolve(
            new CacheFromOptions
            {
                Image = image ?? "cachefrom-tests/history",
                Tag = tag,
                Cache = cache,
                WorkingDirectory = project.Directory,
                CacheDir = Path.Combine(project.Directory, "cache"),
            },
            new Dictionary<string, string?>());

    internal static RunRecord Cold(double systemSeconds, double dependencySeconds, DateTimeOffset? start = null)
    {
        var record = RunRecords.New();
        record.StartedAt = start ?? RunRecords.Start;
        record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo installing system packages", cached: false, systemSeconds);
        record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo resolving dependencies", cached: false, dependencySeconds);
        record.Instruction(PipelineStep.BuildFinalStage, "builder", "RUN echo installing system packages", cached: true, 0);
        record.Instruction(PipelineStep.BuildFinalStage, "builder", "RUN echo resolving dependencies", cached: true, 0);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN echo built", cached: false, 1);
        return record;
    }
}
