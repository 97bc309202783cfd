using System.Text.Json;
using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

/// <summary>The lint inside real runs: warned once per run, recorded, reported, and right about what re-runs.</summary>
[Category("Docker")]
[NonParallelizable]
public sealed class LintPipelineTests
{
    private const string ShaA = "3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3";
    private const string ShaB = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task Given_a_commit_sha_arg_above_the_slow_steps_When_the_sha_changes_Then_the_lint_named_its_line_and_those_steps_did_rerun(BuilderKind builder)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        sample.Edit("Dockerfile", text => text.Replace("AS builder\n", "AS builder\nARG GIT_SHA\n", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("lint"), builder, CacheMode.None);
        var log = new TestLogger();

        options.BuildArgs = new Dictionary<string, string> { ["GIT_SHA"] = ShaA };
        await PipelineRunner.PublishAsync(options, log);
        options.BuildArgs["GIT_SHA"] = ShaB;
        var changed = await PipelineRunner.PublishAsync(options, log);
        var same = await PipelineRunner.PublishAsync(options, log);

        var lintWarnings = log.Warnings.Where(w => w.Contains("per-commit-arg", StringComparison.Ordinal)).ToList();
        Assert.That(lintWarnings, Has.Count.EqualTo(3), "one warning per run");
        Assert.That(changed.Runs("builder"), Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(lintWarnings, Has.All.StartWith("[WRN] Dockerfile:7: per-commit-arg: ARG GIT_SHA differs on every build"));
            Assert.That(changed.Lint!.Findings.Select(f => (f.Rule, f.Line)), Is.EqualTo(new[] { ("per-commit-arg", 7) }));
            Assert.That(changed.Runs("builder"), Has.None.Matches<InstructionRecord>(i => i.Cached), "a new SHA re-runs every RUN below the ARG, as the lint said");
            Assert.That(same.Runs("builder"), Has.All.Matches<InstructionRecord>(i => i.Cached), "the same SHA hits: the ARG is the cause");
            Assert.That(log.Lines.Where(l => l.Contains("Cache summary", StringComparison.Ordinal)), Has.All.Contains("Lint: 1 finding: Dockerfile:7 per-commit-arg"));
        });

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sample.Directory, CacheFromDefaults.ReportDir, "cachefrom-report.json")));
        var finding = report.RootElement.GetProperty("lint").GetProperty("findings").EnumerateArray().Single();
        Assert.That($"{finding.GetProperty("path").GetString()}:{finding.GetProperty("line").GetInt32()}", Is.EqualTo("Dockerfile:7"));
    }

    [Test]
    public async Task Given_a_run_continued_by_a_pipeline_per_step_Then_the_findings_are_logged_once_for_the_run()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        sample.Edit("Dockerfile", text => text.Replace("WORKDIR /src\n", "WORKDIR /src\nADD https://example.com/tool.tar.gz /opt/\n", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("lint-steps"), BuilderKind.BuildKit, CacheMode.Tarball);
        options.RunId = "lint-" + Guid.NewGuid().ToString("N")[..8];
        var log = new TestLogger();

        // As the tool runs its verbs: one pipeline per step (a process each in CI), continuing the run named by its id.
        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        await using (var first = await CachePipeline.OpenAsync(options, log.Logger, sessions))
            await first.LoadTarballAsync();
        RunRecord record;
        await using (var second = await CachePipeline.OpenAsync(options, log.Logger, sessions))
        {
            await second.ResolveCacheAsync();
            record = second.Record;
        }

        Assert.That(log.Warnings.Where(w => w.Contains(": add-url: ", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1));
        Assert.That(record.Steps.Select(s => s.Step), Is.EqualTo(new[] { PipelineStep.LoadTarball, PipelineStep.ResolveCache }), "the same run");
        Assert.That(record.Lint!.Findings.Select(f => $"{f.Path}:{f.Line} {f.Rule}"), Is.EqualTo(new[] { "Dockerfile:9 add-url" }));
    }
}
