using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Lint;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class LintRecordingTests
{
    private static readonly LintFinding ArgFinding = new("Dockerfile", 7, "per-commit-arg",
        "ARG GIT_SHA differs on every build (its name says so), so RUN npm ci (line 9) re-runs on every build",
        "move this ARG down to just above line 14, where GIT_SHA is used");

    private static readonly LintFinding AptFinding = new("Dockerfile", 3, "apt-update-alone", "apt-get update runs in a RUN of its own | piped", "update and install in one RUN");

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Path.Combine(Path.GetTempPath(), "cachefrom-lint-report-" + Guid.NewGuid().ToString("N")[..8]);

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void Each_finding_is_logged_once_per_run_as_a_warning_naming_path_line_rule_and_fix()
    {
        var log = new TestLogger();
        var result = new LintResult(LintMode.Warn, [AptFinding, ArgFinding]);
        var record = RunRecords.New();

        result.RecordOnce(record, log.Logger);
        result.RecordOnce(record, log.Logger);

        Assert.That(log.Warnings, Is.EqualTo(new[]
        {
            "[WRN] " + AptFinding,
            "[WRN] " + ArgFinding,
        }), "a second step of the same run logs nothing again");
        Assert.That(record.Lint!.Findings, Is.EqualTo(new[] { AptFinding, ArgFinding }));
    }

    [Test]
    public void Lint_off_is_recorded_as_off_and_logs_nothing()
    {
        var log = new TestLogger();
        var record = RunRecords.New();

        new LintResult(LintMode.Off, []).RecordOnce(record, log.Logger);

        Assert.That(record.Lint!.Mode, Is.EqualTo(LintMode.Off));
        Assert.That(log.Lines, Is.Empty);
    }

    [Test]
    public async Task The_json_report_lists_the_findings_with_mode_path_line_rule_message_and_fix()
    {
        var record = RunRecords.Warm();
        record.Lint = new LintRecord(LintMode.Warn, [ArgFinding]);

        var files = await ReportWriter.WriteAsync(record, _directory, new TestLogger().Logger, new Dictionary<string, string?>());

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        var lint = json.RootElement.GetProperty("lint");
        Assert.That(lint.GetProperty("findings").GetArrayLength(), Is.EqualTo(1));
        var finding = lint.GetProperty("findings")[0];
        Assert.Multiple(() =>
        {
            Assert.That(lint.GetProperty("mode").GetString(), Is.EqualTo("Warn"));
            Assert.That(finding.GetProperty("path").GetString(), Is.EqualTo("Dockerfile"));
            Assert.That(finding.GetProperty("line").GetInt32(), Is.EqualTo(7));
            Assert.That(finding.GetProperty("rule").GetString(), Is.EqualTo("per-commit-arg"));
            Assert.That(finding.GetProperty("message").GetString(), Is.EqualTo(ArgFinding.Message));
            Assert.That(finding.GetProperty("fix").GetString(), Is.EqualTo(ArgFinding.Fix));
        });
    }

    [Test]
    public async Task A_run_without_lint_has_null_in_the_json()
    {
        var files = await ReportWriter.WriteAsync(RunRecords.Warm(), _directory, new TestLogger().Logger, new Dictionary<string, string?>());

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        Assert.That(json.RootElement.GetProperty("lint").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task The_markdown_html_and_summary_table_list_the_findings()
    {
        var record = RunRecords.Warm();
        record.Lint = new LintRecord(LintMode.Warn, [AptFinding, ArgFinding]);
        var log = new TestLogger();

        var files = await ReportWriter.WriteAsync(record, _directory, log.Logger, new Dictionary<string, string?>());

        var markdown = await File.ReadAllTextAsync(files.Markdown);
        var html = await File.ReadAllTextAsync(files.Html);
        Assert.Multiple(() =>
        {
            Assert.That(markdown, Does.Contain("| Dockerfile lint: 2 findings | Rule | Problem | Fix |"));
            Assert.That(markdown, Does.Contain("| `Dockerfile:7` | per-commit-arg | ARG GIT_SHA differs"));
            Assert.That(markdown, Does.Contain("a RUN of its own \\| piped"), "pipes in a finding do not break the table");
            Assert.That(html, Does.Contain("<h2>Dockerfile lint: 2 findings</h2>").And.Contain("<code>Dockerfile:7</code>"));
            Assert.That(log.AllText, Does.Contain("Lint: 2 findings: Dockerfile:3 apt-update-alone, Dockerfile:7 per-commit-arg"));
        });
    }

    [Test]
    public async Task No_findings_leave_the_reports_as_they_were()
    {
        var record = RunRecords.Warm();
        record.Lint = new LintRecord(LintMode.Warn, []);
        var log = new TestLogger();

        var files = await ReportWriter.WriteAsync(record, _directory, log.Logger, new Dictionary<string, string?>());

        Assert.That(await File.ReadAllTextAsync(files.Markdown), Does.Not.Contain("lint"));
        Assert.That(log.AllText, Does.Not.Contain("Lint:"));
    }
}
