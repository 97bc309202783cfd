using System.Text.Json;
using System.Text.RegularExpressions;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

public sealed partial class ReportWriterTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cachefrom-report-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task The_report_is_written_as_json_markdown_and_html_and_nothing_else_is_left_behind()
    {
        var files = await WriteAsync(RunRecords.Warm());

        Assert.Multiple(() =>
        {
            Assert.That(files.Json, Is.EqualTo(Path.Combine(_directory, "cachefrom-report.json")));
            Assert.That(File.Exists(files.Json) && File.Exists(files.Markdown) && File.Exists(files.Html), Is.True);
            Assert.That(Directory.GetFiles(_directory).Select(Path.GetFileName), Is.EquivalentTo(new[]
            {
                "cachefrom-report.json", "cachefrom-report.md", "cachefrom-report.html",
            }), "atomic writes leave no temp files");
            Assert.That(files.GitHubStepSummary, Is.Null);
        });
    }

    [Test]
    public async Task The_json_report_has_the_documented_fields_in_seconds()
    {
        var files = await WriteAsync(RunRecords.Warm());

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        var root = json.RootElement;
        var summary = root.GetProperty("summary");
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(1));
            Assert.That(root.GetProperty("image").GetString(), Is.EqualTo("127.0.0.1:5000/app"));
            Assert.That(root.GetProperty("cache").GetString(), Is.EqualTo("Registry"));
            Assert.That(summary.GetProperty("outcome").GetString(), Is.EqualTo("PaidOff"));
            Assert.That(summary.GetProperty("fetchSeconds").GetDouble(), Is.EqualTo(1.5));
            Assert.That(summary.GetProperty("storeSeconds").GetDouble(), Is.EqualTo(2));
            Assert.That(summary.GetProperty("timeSavedSeconds").GetDouble(), Is.EqualTo(41.98));
            Assert.That(summary.GetProperty("netSeconds").GetDouble(), Is.EqualTo(38.48));
            Assert.That(summary.GetProperty("verdict").GetString(), Does.StartWith("Cache paid off"));
            Assert.That(root.GetProperty("steps").GetArrayLength(), Is.EqualTo(6));
            Assert.That(root.GetProperty("steps")[1].GetProperty("step").GetString(), Is.EqualTo("ResolveCache"));
            Assert.That(root.GetProperty("steps")[1].GetProperty("durationSeconds").GetDouble(), Is.EqualTo(1.5));
            Assert.That(root.GetProperty("stages")[0].GetProperty("winner").GetString(), Is.EqualTo("127.0.0.1:5000/app:main--builder"));
            Assert.That(root.GetProperty("instructions")[2].GetProperty("repeatInRun").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("instructions")[0].GetProperty("coldDurationSeconds").GetDouble(), Is.EqualTo(30));
        });
    }

    [Test]
    public async Task An_unknown_saving_is_null_in_the_json_not_zero()
    {
        var files = await WriteAsync(RunRecords.Warm(systemCold: null, dependenciesCold: null));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        var summary = json.RootElement.GetProperty("summary");
        Assert.Multiple(() =>
        {
            Assert.That(summary.GetProperty("timeSavedSeconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(summary.GetProperty("netSeconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(summary.GetProperty("outcome").GetString(), Is.EqualTo("Unknown"));
        });
    }

    [Test]
    public async Task The_json_report_round_trips()
    {
        var record = RunRecords.Warm();
        var files = await WriteAsync(record);

        var read = ReportDocument.FromJson(await File.ReadAllTextAsync(files.Json))!;
        var expected = ReportDocument.From(record, RunSummary.Compute(record));

        Assert.That(read.ToJson(), Is.EqualTo(expected.ToJson()));
    }

    [Test]
    public async Task The_markdown_has_the_verdict_and_the_tables()
    {
        var files = await WriteAsync(RunRecords.Warm());

        var markdown = await File.ReadAllTextAsync(files.Markdown);
        Assert.Multiple(() =>
        {
            Assert.That(markdown, Does.Contain("**Cache paid off: saved 42.0 s for 3.5 s of fetching and storing.**"));
            Assert.That(markdown, Does.Contain("| Time the cache saved | 42.0 s |"));
            Assert.That(markdown, Does.Contain("| Step | Outcome | Duration |"));
            Assert.That(markdown, Does.Contain("| ResolveCache | Succeeded | 1.5 s | 1000 B |"));
            Assert.That(markdown, Does.Contain("| builder | 2 | 0 | `127.0.0.1:5000/app:main--builder` |"));
        });
    }

    [Test]
    public async Task A_pipe_in_an_instruction_does_not_break_the_markdown_table()
    {
        var record = RunRecords.Warm();
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN a | b", cached: false, 1);

        var markdown = await File.ReadAllTextAsync((await WriteAsync(record)).Markdown);

        Assert.That(markdown, Does.Contain("`RUN a \\| b`"));
    }

    [Test]
    public async Task The_html_is_self_contained_and_draws_the_timeline()
    {
        var record = RunRecords.Warm();
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN echo <script>alert(1)</script>", cached: false, 0.1);

        var html = await File.ReadAllTextAsync((await WriteAsync(record)).Html);

        Assert.Multiple(() =>
        {
            Assert.That(ExternalReference().IsMatch(html), Is.False, "no external src/href/url()");
            Assert.That(html, Does.Not.Contain("<script"), "instruction text is encoded");
            Assert.That(html, Does.Contain("<svg class=\"timeline\""));
            Assert.That(html, Does.Contain("Cache paid off"));
            Assert.That(html, Does.Contain("#2f9e5c").And.Contain("#e8833a").And.Contain("#7b61d9"), "cached, built and fetch/store colours");
            Assert.That(html, Does.Contain("<style>"));
        });
    }

    [Test]
    public async Task The_markdown_is_appended_to_the_github_step_summary()
    {
        var stepSummary = Path.Combine(Path.GetTempPath(), "cachefrom-step-summary-" + Guid.NewGuid().ToString("N")[..8] + ".md");
        await File.WriteAllTextAsync(stepSummary, "# earlier step\n");
        try
        {
            var files = await WriteAsync(RunRecords.Warm(), new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = stepSummary });

            var text = await File.ReadAllTextAsync(stepSummary);
            Assert.Multiple(() =>
            {
                Assert.That(files.GitHubStepSummary, Is.EqualTo(stepSummary));
                Assert.That(text, Does.StartWith("# earlier step\n"));
                Assert.That(text, Does.Contain("## CacheFrom: 127.0.0.1:5000/app:main"));
            });
        }
        finally
        {
            File.Delete(stepSummary);
        }
    }

    [Test]
    public async Task The_log_gets_one_summary_table_with_the_verdict()
    {
        var log = new TestLogger();

        await ReportWriter.WriteAsync(RunRecords.Warm(), _directory, log.Logger, new Dictionary<string, string?>());

        var summaries = log.Lines.Where(l => l.Contains("Cache summary", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(summaries, Has.Count.EqualTo(1));
            Assert.That(summaries[0], Does.Contain("Cache summary: Cache paid off: saved 42.0 s"));
            Assert.That(summaries[0], Does.Contain("ResolveCache").And.Contain("Winning candidate").And.Contain("Net +38.5 s"));
            Assert.That(summaries[0], Does.Not.Contain("\"Cache paid off"), "pre-rendered text, not a quoted string");
        });
    }

    [Test]
    public async Task A_skipped_stage_is_named_with_its_candidate_in_every_report()
    {
        var record = RunRecords.Warm();
        var builder = record.Stages.Single(s => s.Name == "builder");
        builder.SkippedSince = builder.Winner;
        record.Instructions.RemoveAll(i => i.BuiltIn == PipelineStep.BuildBuilderStage);
        var log = new TestLogger();
        const string note = "skipped: inputs unchanged since 127.0.0.1:5000/app:main--builder";

        var files = await ReportWriter.WriteAsync(record, _directory, log.Logger, new Dictionary<string, string?>());

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        var stages = json.RootElement.GetProperty("stages").EnumerateArray().ToList();
        var markdown = await File.ReadAllTextAsync(files.Markdown);
        var html = await File.ReadAllTextAsync(files.Html);
        Assert.That(stages, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(stages.Select(s => s.GetProperty("skippedSince").ValueKind == JsonValueKind.Null ? null : s.GetProperty("skippedSince").GetString()),
                Is.EqualTo(new[] { "127.0.0.1:5000/app:main--builder", null }));
            Assert.That(markdown, Does.Contain("| " + note + " |"));
            Assert.That(html, Does.Contain("<td>" + note + "</td>"));
            Assert.That(log.Lines.Where(l => l.Contains("Cache summary", StringComparison.Ordinal)).Single(), Does.Contain(note));
        });
    }

    private Task<ReportFiles> WriteAsync(RunRecord record, IReadOnlyDictionary<string, string?>? environment = null) =>
        ReportWriter.WriteAsync(record, _directory, new TestLogger().Logger, environment ?? new Dictionary<string, string?>());

    [GeneratedRegex(@"(src|href)\s*=\s*[""']?\s*(https?:)?//|url\(\s*[""']?\s*(https?:)?//|@import", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
