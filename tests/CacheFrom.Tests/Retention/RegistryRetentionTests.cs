using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Hosting;
using CacheFrom.References;
using CacheFrom.Resilience;
using CacheFrom.Retention;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Retention;

/// <summary>
/// PruneCache against a real registry with deletes on (a private docker-registry): a repository of
/// branches of every age, seeded straight into the registry with their write times, pruned with a
/// fixed clock. What survives and what goes is read back with plain registry requests.
/// </summary>
[Category("Docker")]
public sealed class RegistryRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    // A branch tag long enough that its stage tags are cut (TAGPART-HASH--STAGE).
    private static readonly string LongBranch = "feature-" + new string('l', 118);

    private RegistryServer _registry = null!;
    private TemporaryContext _context = null!;

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        _registry = await RegistryServer.StartAsync(deleteEnabled: true);
        _context = new TemporaryContext("FROM scratch\n");
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        await _registry.DisposeAsync();
        _context.Dispose();
    }

    [Test]
    public async Task Given_a_stale_branch_When_pruned_with_apply_Then_its_cache_tags_go_and_every_kept_tag_survives()
    {
        var log = new TestLogger();
        var repository = _registry.UniqueRepository("prune");
        using var seeder = new CacheTagSeeder(repository, log);
        var seeded = await SeedAsync(seeder);

        var result = await PruneAsync(repository, apply: true, log);
        var after = await seeder.TagsAsync();

        string[] gone = ["feature-old--builder", "feature-old--cachefrom-history", "feature-nohistory--builder"];
        Assert.Multiple(() =>
        {
            Assert.That(result.DryRun, Is.False);
            Assert.That(result.Items.Select(i => i.Name), Is.EquivalentTo(gone.Select(t => $"{repository}:{t}")));
            Assert.That(result.Items, Has.All.Matches<PruneItem>(i => i.Deleted));
            Assert.That(after, Has.None.AnyOf(gone), "the stale branches' cache-only tags are gone");
            Assert.That(after, Is.EquivalentTo(seeded.Except(gone)), "every other tag survives: this tag, the fallbacks, finals, fresh branches, the shared manifest");
            Assert.That(after, Does.Contain("feature-old"), "a stale branch's final image is never pruned");
            Assert.That(after, Does.Contain("feature-old--deps"), "its manifest is also main--builder's, so it stays");
            Assert.That(result.Kept.Single(k => k.Name.EndsWith(":feature-old--deps", StringComparison.Ordinal)).Reason, Does.Contain("main--builder"));
            Assert.That(log.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task Given_a_stale_branch_When_pruned_without_apply_Then_nothing_is_deleted_and_what_would_go_is_listed_with_sizes()
    {
        var log = new TestLogger();
        var repository = _registry.UniqueRepository("prune-dry");
        using var seeder = new CacheTagSeeder(repository, log);
        var seeded = await SeedAsync(seeder);

        var result = await PruneAsync(repository, apply: false, log);
        var after = await seeder.TagsAsync();
        var builder = await seeder.ImageSizeAsync("feature-old--builder");

        Assert.Multiple(() =>
        {
            Assert.That(result.DryRun, Is.True);
            Assert.That(after, Is.EquivalentTo(seeded), "a dry run deletes nothing");
            Assert.That(result.Items, Has.Count.EqualTo(3));
            Assert.That(result.Items, Has.None.Matches<PruneItem>(i => i.Deleted));
            Assert.That(result.Items.Single(i => i.Name.EndsWith(":feature-old--builder", StringComparison.Ordinal)).Bytes, Is.EqualTo(builder));
            Assert.That(result.Bytes, Is.EqualTo(result.Items.Sum(i => i.Bytes)), "three distinct manifests");
            Assert.That(log.AllText, Does.Contain($"Would delete {repository}:feature-old--builder ("));
            Assert.That(log.AllText, Does.Contain("PruneCache would delete 3 cache tags and 0 tarballs"));
        });
    }

    [Test]
    public async Task Given_a_registry_without_deletes_When_pruned_with_apply_Then_one_message_says_how_to_turn_deletes_on()
    {
        await using var noDeletes = await RegistryServer.StartAsync(deleteEnabled: false);
        var log = new TestLogger();
        var repository = noDeletes.UniqueRepository("prune-405");
        using var seeder = new CacheTagSeeder(repository, log);
        var seeded = await SeedAsync(seeder);

        var exception = Assert.ThrowsAsync<RegistryDeletesDisabledException>(() => PruneAsync(repository, apply: true, log));
        var after = await seeder.TagsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.Contain($"The registry {noDeletes.Address} does not allow deletes"));
            Assert.That(exception.Message, Does.Contain("REGISTRY_STORAGE_DELETE_ENABLED=true"));
            Assert.That(exception.Message, Does.Not.Contain("   at "));
            Assert.That(after, Is.EquivalentTo(seeded));
        });
    }

    [Test]
    public async Task Given_a_registry_without_deletes_When_the_host_runs_PruneCache_Then_it_fails_with_that_message_alone()
    {
        await using var noDeletes = await RegistryServer.StartAsync(deleteEnabled: false);
        var log = new TestLogger();
        var repository = noDeletes.UniqueRepository("prune-405-host");
        using var seeder = new CacheTagSeeder(repository, log);
        await SeedAsync(seeder);
        var options = Options(repository, apply: true);

        await using var run = new CacheFromRun(() => options, log.Logger, sessions: null, new FixedTime(Now));
        var exception = Assert.ThrowsAsync<RegistryDeletesDisabledException>(() => run.RunAsync(CacheFromStepTable.PruneCache));

        Assert.That(exception!.Message, Does.StartWith($"The registry {noDeletes.Address} does not allow deletes"));
    }

    /// <summary>
    /// The repository: this run's tag (release) and the fallback main, both old; a stale branch
    /// (history 20 days old) with a stage that is byte-for-byte main's builder; a stale branch with no
    /// history (dated by its image); a fresh branch; a branch whose history is old but was used 3 days ago;
    /// and a branch so long its stage tags are cut. Returns every tag.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SeedAsync(CacheTagSeeder seeder)
    {
        var old = Now - TimeSpan.FromDays(30);
        await seeder.ImageAsync("main", old, "main final");
        await seeder.ImageAsync("main--builder", old, "shared builder");
        await seeder.HistoryAsync("main--cachefrom-history", old);
        await seeder.ImageAsync("release", old, "release final");
        await seeder.ImageAsync("release--builder", old, "release builder");

        await seeder.ImageAsync("feature-old", old, "feature-old final");
        await seeder.ImageAsync("feature-old--builder", old, "feature-old builder");
        await seeder.RetagAsync("main--builder", "feature-old--deps");
        await seeder.HistoryAsync("feature-old--cachefrom-history", Now - TimeSpan.FromDays(20));

        await seeder.ImageAsync("feature-nohistory--builder", Now - TimeSpan.FromDays(40), "feature-nohistory builder");

        await seeder.ImageAsync("feature-fresh", Now - TimeSpan.FromDays(2), "feature-fresh final");
        await seeder.ImageAsync("feature-fresh--builder", old, "feature-fresh builder");
        await seeder.HistoryAsync("feature-fresh--cachefrom-history", Now - TimeSpan.FromDays(2));

        await seeder.ImageAsync("feature-used--builder", old, "feature-used builder");
        await seeder.HistoryAsync("feature-used--cachefrom-history", Now - TimeSpan.FromDays(20), usedAt: Now - TimeSpan.FromDays(3));

        var longBuilder = StageTagScheme.StageTag(LongBranch, "builder");
        Assert.That(longBuilder, Does.Not.StartWith(LongBranch + "--"), "the long branch's stage tag is cut");
        await seeder.ImageAsync(LongBranch, old, "long final");
        await seeder.ImageAsync(longBuilder, old, "long builder");
        await seeder.HistoryAsync(StageTagScheme.StageTag(LongBranch, "cachefrom-history"), Now - TimeSpan.FromDays(1));

        var tags = await seeder.TagsAsync();
        Assert.That(tags, Has.Count.EqualTo(18), "every seeded tag is in the registry");
        return tags;
    }

    private async Task<PruneResult> PruneAsync(string repository, bool apply, TestLogger log)
    {
        var settings = CacheFromSettings.Resolve(Options(repository, apply));
        using var client = new RegistryClient(new RetryOptions { MaxRetryAttempts = 0 }, TimeProvider.System, log.Logger);
        return await CacheRetention.PruneAsync(settings, client, log.Logger, new FixedTime(Now), CancellationToken.None);
    }

    private CacheFromOptions Options(string repository, bool apply) => new()
    {
        Image = repository,
        Tag = "release",
        Cache = CacheMode.Registry,
        Context = _context.Directory,
        WorkingDirectory = _context.Directory,
        CacheTtl = TimeSpan.FromDays(14),
        PruneApply = apply,
        Retry = new RetryOptions { MaxRetryAttempts = 0 },
    };
}
