using System.IO.Compression;
using System.Text;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.Tests.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>The fingerprint records the cache history keeps: what they hold, what they never hold, how many, how large.</summary>
public sealed class FingerprintHistoryTests
{
    private static RunRecord Ran(RunFingerprints fingerprints, DateTimeOffset? at = null)
    {
        var record = RunRecords.New();
        record.StartedAt = at ?? RunRecords.Start;
        record.Fingerprints = [.. fingerprints.Stages];
        return record;
    }

    private static ContextFolder Sample()
    {
        var context = new ContextFolder();
        var sample = Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "webapp");
        foreach (var file in Directory.EnumerateFiles(sample, "*", SearchOption.AllDirectories))
            context.Write(Path.GetRelativePath(sample, file), File.ReadAllText(file));
        return context;
    }

    [Test]
    public async Task A_runs_fingerprints_survive_the_history_document_and_never_hold_an_arg_value()
    {
        using var sample = Sample();
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(sample.Directory, "Dockerfile"));
        var run = await sample.FingerprintAsync(dockerfile, new Dictionary<string, string> { ["SLOW_SECONDS"] = "secret-looking-value-42" });

        var json = CacheHistory.Empty.Merge(Ran(run)).ToJson();
        var read = CacheHistory.FromJson(json);

        var builder = run.Stage("builder")!;
        var kept = read.Find("builder", builder.Fingerprint!);
        Assert.That(kept, Is.Not.Null);
        Assert.That(kept!.Fingerprint, Is.EqualTo(builder.Fingerprint), "the stage's in full: it is what the label carries");
        Assert.That(kept.Instructions.Select(i => i.Fingerprint), Is.EqualTo(builder.Instructions.Select(i => FingerprintWriter.Short(i.Fingerprint!))), "each step's, short");
        Assert.That(kept.Instructions.Select(i => i.Inputs.Own), Is.EqualTo(builder.Instructions.Select(i => i.Inputs.Own)));
        Assert.That(kept.Instructions.Select(i => i.StepName), Has.All.Null, "step names are for matching this run's builder output only");
        Assert.That(json, Does.Not.Contain("secret-looking-value-42"));
        Assert.That(read.Find("final", run.Stage("final")!.Fingerprint!), Is.Not.Null);
    }

    [Test]
    public async Task A_run_that_learned_a_fingerprint_is_new_and_one_that_matched_is_not()
    {
        using var sample = Sample();
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(sample.Directory, "Dockerfile"));
        var run = await sample.FingerprintAsync(dockerfile);
        var first = CacheHistory.Empty.Merge(Ran(run));

        var again = first.Merge(Ran(run, RunRecords.Start.AddHours(1)));

        Assert.That(first.HasNewMeasurements, Is.True);
        Assert.That(again.HasNewMeasurements, Is.False, "a no-change run leaves the registry's history as it was");
        Assert.That(again.Fingerprints, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task The_history_keeps_a_bounded_number_of_records_per_stage_newest_first()
    {
        using var sample = Sample();
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(sample.Directory, "Dockerfile"));
        var history = CacheHistory.Empty;
        for (var i = 0; i < 10; i++)
        {
            var run = await sample.FingerprintAsync(dockerfile, new Dictionary<string, string> { ["SLOW_SECONDS"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            history = history.Merge(Ran(run, RunRecords.Start.AddHours(i)));
        }

        Assert.That(history.Fingerprints.Count(f => f.Stage == "builder"), Is.EqualTo(CacheHistory.MaxFingerprintsPerStage));
        Assert.That(history.Fingerprints.Max(f => f.RecordedAt), Is.EqualTo(RunRecords.Start.AddHours(9)));
        Assert.That(history.Fingerprints.Min(f => f.RecordedAt), Is.EqualTo(RunRecords.Start.AddHours(4)), "the oldest went first");
    }

    [Test]
    public void A_history_written_before_fingerprints_still_reads()
    {
        const string json = """{ "schemaVersion": 1, "entries": [ { "stage": "builder", "instruction": "RUN x", "occurrence": 1, "coldSeconds": 3, "observedAt": "2026-11-28T12:00:00+00:00", "usedAt": "2026-11-28T12:00:00+00:00", "observations": 1 } ] }""";

        var history = CacheHistory.FromJson(json);

        Assert.That(history.Count, Is.EqualTo(1));
        Assert.That(history.Fingerprints, Is.Empty);
    }

    [Test]
    public async Task History_sizes_are_measured_for_the_sample_and_a_20000_file_context()
    {
        using var sample = Sample();
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(sample.Directory, "Dockerfile"));
        var sampleHistory = CacheHistory.Empty.Merge(Ran(await sample.FingerprintAsync(dockerfile)));

        using var large = new ContextFolder();
        for (var d = 0; d < 200; d++)
        {
            var directory = Path.Combine(large.Directory, $"src/module{d / 20:D2}/part{d % 20:D2}");
            Directory.CreateDirectory(directory);
            for (var f = 0; f < 100; f++)
                File.WriteAllText(Path.Combine(directory, $"file{f:D3}.cs"), $"// {d}/{f}\n");
        }

        var largeRun = await large.FingerprintAsync("FROM base AS build\nWORKDIR /src\nCOPY src/module00/ ./module00/\nRUN make deps\nCOPY . .\nRUN make\nFROM base\nCOPY --from=build /src/out /app\n");
        var largeHistory = CacheHistory.Empty.Merge(Ran(largeRun));
        var copyAll = largeRun.Stage("build")!.Instructions[4].Inputs.Files!;

        Assert.That(copyAll.Count, Is.EqualTo(20_211));
        Assert.That(copyAll.Groups, Has.Count.InRange(10, FileSummary.MaxGroups));
        var sampleBytes = Encoding.UTF8.GetByteCount(sampleHistory.ToJson());
        var largeBytes = Encoding.UTF8.GetByteCount(largeHistory.ToJson());
        await TestContext.Out.WriteLineAsync(
            $"history with one run's fingerprints: sample {sampleBytes} bytes ({Gzip(sampleHistory.ToJson())} gzipped); "
            + $"20,000-file context {largeBytes} bytes ({Gzip(largeHistory.ToJson())} gzipped), {copyAll.Groups.Count} groups for COPY . .; "
            + $"full history bound: {CacheHistory.MaxFingerprintsPerStage} records per stage, {CacheHistory.MaxFingerprints} in all");
        Assert.That(largeBytes, Is.LessThan(64 * 1024), "a large context's record stays small");
    }

    private static int Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return (int)buffer.Length;
    }
}
