using CacheFrom.Configuration;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>The fingerprint label rides on the image config only: a new value must not cost a single cache hit, on either builder.</summary>
[NonParallelizable]
[Category("Docker")]
public sealed class FingerprintLabelTests
{
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_new_fingerprint_label_keeps_every_step_cached_on_an_emptied_engine(BuilderKind builder)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var repository = TestEnvironment.UniqueRepository("label");
        var options = PipelineRunner.Options(sample, repository, builder, CacheMode.Registry);

        var first = await PipelineRunner.PublishAsync(options, log);
        await EngineReset.EmptyAsync();
        // A parser directive no builder keys a layer on: every fingerprint (so every label) changes, no layer's inputs do.
        sample.Edit("Dockerfile", text => "# check=skip=JSONArgsRecommended\n" + text);
        var secondLog = new TestLogger();
        var second = await PipelineRunner.PublishAsync(options, secondLog);

        Assert.That(second.Stages.Select(s => s.Fingerprint).ToList(), Has.Count.EqualTo(2).And.All.Not.Null);
        Assert.That(second.Stages.Zip(first.Stages).Where(p => p.First.Fingerprint == p.Second.Fingerprint), Is.Empty, "every label changed");
        Assert.That(await RegistryApi.LabelAsync(repository, "feature-x--builder", FingerprintLabel.Name), Is.EqualTo(second.Stages[0].Fingerprint));
        if (await ClassicCacheOnContainerdStore.AppliesAsync(builder))
        {
            // No classic cache hit is possible there after an emptied engine, label or not (docs/engines.md): the label still changed, the build cold.
            ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(second, secondLog);
            return;
        }

        var runs = second.Runs("builder").Concat(second.Runs("final")).ToList();
        Assert.That(runs, Has.Count.EqualTo(3));
        Assert.That(runs, Has.All.Matches<InstructionRecord>(i => i.Cached), "a label is not a cache key of any layer");
        // FROM left out: two stages on one base image share one BuildKit vertex, which BuildKit names
        // after either stage from run to run, so the report lists that FROM once or twice (seen on 20.10).
        Assert.That(
            second.Instructions.Select(i => i.Text).Where(IsNotFrom),
            Is.EquivalentTo(first.Instructions.Select(i => i.Text).Where(IsNotFrom)),
            "the label adds no step the report would count (BuildKit may report them in another order)");
    }

    private static bool IsNotFrom(string instruction) => !instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase);
}
