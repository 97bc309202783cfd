using CacheFrom.Configuration;
using CacheFrom.Hosting;
using CacheFrom.Retention;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Retention;

/// <summary>
/// PruneCache on what the pipeline itself pushed to the test registry (deletes on): main, then a
/// feature branch cached from it; two weeks and a day later, run as main, the feature branch's
/// cache-only tags go, except a manifest main also points to, and main and the feature's final image stay.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class PipelineRetentionTests
{
    [SetUp]
    public Task StartFromAnEmptiedEngine() => EngineReset.EmptyAsync();

    [Test]
    public async Task Given_a_branch_idle_past_the_ttl_When_main_prunes_Then_its_cache_tags_go_and_mains_tags_and_its_final_image_stay()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var repository = TestEnvironment.UniqueRepository("prune-pipeline");
        var main = PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "main");
        await PipelineRunner.PublishAsync(main, new TestLogger());
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        await PipelineRunner.PublishAsync(PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Registry, tag: "feature-x"), new TestLogger());
        var log = new TestLogger();
        using var seeder = new CacheTagSeeder(repository, log);
        var before = await seeder.TagsAsync();
        var digests = new Dictionary<string, string>();
        foreach (var tag in before)
            digests[tag] = (await RegistryApi.ManifestAsync(repository, tag))!.Digest;
        var mainDigests = before.Where(t => t == "main" || t.StartsWith("main--", StringComparison.Ordinal)).Select(t => digests[t]).ToHashSet();
        var featureCache = before.Where(t => t.StartsWith("feature-x--", StringComparison.Ordinal)).ToList();
        var expectedGone = featureCache.Where(t => !mainDigests.Contains(digests[t])).ToList();
        var later = new FixedTime(DateTimeOffset.UtcNow + TimeSpan.FromDays(15));

        main.PruneApply = false;
        PruneResult dryRun;
        await using (var run = new CacheFromRun(() => main, log.Logger, sessions: null, later))
        {
            await run.RunAsync(CacheFromStepTable.PruneCache);
            dryRun = run.Prune!;
        }

        var afterDryRun = await seeder.TagsAsync();
        main.PruneApply = true;
        PruneResult applied;
        await using (var run = new CacheFromRun(() => main, log.Logger, sessions: null, later))
        {
            await run.RunAsync(CacheFromStepTable.PruneCache);
            applied = run.Prune!;
        }

        var after = await seeder.TagsAsync();
        TestContext.Out.WriteLine($"tags before: {string.Join(", ", before)}; gone: {string.Join(", ", before.Except(after))}");
        Assert.That(featureCache, Does.Contain("feature-x--builder").And.Contain("feature-x--cachefrom-history"), "the feature branch pushed its stage and its history");
        Assert.That(expectedGone, Does.Contain("feature-x--cachefrom-history"), "the feature's history is its own");
        Assert.Multiple(() =>
        {
            Assert.That(afterDryRun, Is.EquivalentTo(before), "the dry run deleted nothing");
            Assert.That(dryRun.Items.Select(i => i.Name), Is.EquivalentTo(expectedGone.Select(t => $"{repository}:{t}")));
            Assert.That(dryRun.Items, Has.All.Matches<PruneItem>(i => i.Bytes > 0));
            Assert.That(applied.Items.Select(i => i.Name), Is.EquivalentTo(expectedGone.Select(t => $"{repository}:{t}")));
            Assert.That(after, Is.EquivalentTo(before.Except(expectedGone)), "only the feature's own cache-only tags went");
            Assert.That(after, Does.Contain("feature-x").And.Contain("main").And.Contain("main--builder"));
        });
    }
}
