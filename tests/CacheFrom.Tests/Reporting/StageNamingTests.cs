using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

/// <summary>The report names stages as the Dockerfile does: an unnamed last stage is "final", never the builder's stage-N, and each stage has one row.</summary>
[NonParallelizable]
[Category("Docker")]
public sealed class StageNamingTests
{
    private const string SingleStage = "FROM BASE\nRUN echo one-TOKEN > /one\n";
    private const string TwoStages = "FROM BASE AS builder\nRUN echo built-TOKEN > /out\nFROM BASE\nCOPY --from=builder /out /out\nRUN cat /out\n";
    private const string ThreeStages =
        "FROM BASE AS deps\nRUN echo deps-TOKEN > /deps\nFROM deps AS builder\nRUN echo built-TOKEN > /out\nFROM BASE AS runtime\nCOPY --from=builder /out /out\nRUN cat /out\n";

    [TestCase(SingleStage, new[] { "final" }, BuilderKind.BuildKit)]
    [TestCase(SingleStage, new[] { "final" }, BuilderKind.Classic)]
    [TestCase(TwoStages, new[] { "builder", "final" }, BuilderKind.BuildKit)]
    [TestCase(TwoStages, new[] { "builder", "final" }, BuilderKind.Classic)]
    [TestCase(ThreeStages, new[] { "deps", "builder", "runtime" }, BuilderKind.BuildKit)]
    [TestCase(ThreeStages, new[] { "deps", "builder", "runtime" }, BuilderKind.Classic)]
    public async Task Each_stage_has_one_row_named_as_in_the_Dockerfile(string dockerfile, string[] stages, BuilderKind builder)
    {
        // A token of its own: cache left on the engine by an earlier run must not turn built work into hits.
        using var context = new TemporaryContext(dockerfile.Replace("TOKEN", Guid.NewGuid().ToString("N"), StringComparison.Ordinal));
        var options = new CacheFromOptions
        {
            Image = TestEnvironment.UniqueLocalRepository("naming"),
            Tag = "naming",
            Builder = builder,
            Cache = CacheMode.None,
            Context = context.Directory,
            WorkingDirectory = context.Directory,
        };

        var record = await PipelineRunner.PublishAsync(options, new TestLogger());
        var summary = RunSummary.Compute(record);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Stages.Select(s => s.Name), Is.EqualTo(stages), "one row per stage, in Dockerfile order");
            Assert.That(summary.Stages.Single(s => s.IsFinal).Name, Is.EqualTo(stages[^1]));
            Assert.That(record.Instructions.Select(i => i.Stage).Distinct(), Is.SubsetOf(stages), "no instruction under a builder's stage-N");
            Assert.That(summary.Stages.Sum(s => s.BuiltInstructions + s.CachedInstructions), Is.EqualTo(record.Instructions.Count(i => !i.Text.StartsWith("FROM", StringComparison.OrdinalIgnoreCase))));
            Assert.That(summary.Stages[^1].BuiltInstructions, Is.GreaterThan(0), "the final stage's own instructions are counted in its row");
        });
    }
}
