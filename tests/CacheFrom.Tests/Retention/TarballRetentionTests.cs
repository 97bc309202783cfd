using CacheFrom.Configuration;
using CacheFrom.Retention;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Retention;

/// <summary>PruneCache in the tarball store: file write times against a fixed clock, no engine.</summary>
public sealed class TarballRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private TemporaryContext _context = null!;
    private string _store = null!;
    private string _folder = null!;
    private string _otherFolder = null!;

    [SetUp]
    public void CreateStore()
    {
        _context = new TemporaryContext("FROM scratch\n");
        _store = Path.Combine(_context.Directory, "store");
        _folder = Path.Combine(_store, "cachefrom-tests+app");
        _otherFolder = Path.Combine(_store, "cachefrom-tests+other");
        Directory.CreateDirectory(_folder);
        Directory.CreateDirectory(_otherFolder);
        Write(_folder, "release.tar", 40, daysOld: 30);
        Write(_folder, "main.tar", 50, daysOld: 30);
        Write(_folder, "master.tar", 60, daysOld: 30);
        Write(_folder, "feature-old.tar", 1000, daysOld: 15);
        Write(_folder, "feature-fresh.tar", 70, daysOld: 13);
        Write(_folder, "feature-broken.tar.corrupt-20261001120000", 300, daysOld: 60);
        Write(_folder, "feature-killed.tar.0123456789abcdef.partial", 20, daysOld: 20);
        Write(_folder, "notes.txt", 10, daysOld: 90);
        Write(_otherFolder, "feature-old.tar", 80, daysOld: 90);
        Write(_store, "history.json", 5, daysOld: 90);
    }

    [TearDown]
    public void DeleteStore() => _context.Dispose();

    [Test]
    public async Task Given_tarballs_of_every_age_When_pruned_with_apply_Then_only_the_stale_ones_of_other_tags_go()
    {
        var log = new TestLogger();

        var result = await PruneAsync(apply: true, log);

        string[] gone = ["feature-old.tar", "feature-broken.tar.corrupt-20261001120000", "feature-killed.tar.0123456789abcdef.partial"];
        Assert.Multiple(() =>
        {
            Assert.That(result.Items.Select(i => Path.GetFileName(i.Name)), Is.EquivalentTo(gone));
            Assert.That(result.Items, Has.All.Matches<PruneItem>(i => i.Deleted && i.Kind == PruneItemKind.Tarball));
            Assert.That(Files(_folder), Is.EquivalentTo(new[] { "release.tar", "main.tar", "master.tar", "feature-fresh.tar", "notes.txt" }),
                "this tag's and the fallbacks' tarballs stay whatever their age, and so do fresh ones and files that are not tarballs");
            Assert.That(Files(_otherFolder), Is.EquivalentTo(new[] { "feature-old.tar" }), "another repository's folder is its own to prune");
            Assert.That(File.Exists(Path.Combine(_store, "history.json")), "the store's history stays");
            Assert.That(result.Bytes, Is.EqualTo(1000 + 300 + 20));
            Assert.That(result.Kept.Select(k => Path.GetFileName(k.Name)), Is.EquivalentTo(new[] { "release.tar", "main.tar", "master.tar", "feature-fresh.tar" }));
        });
    }

    [Test]
    public async Task Given_tarballs_of_every_age_When_pruned_without_apply_Then_every_file_stays_and_the_stale_ones_are_listed_with_sizes()
    {
        var log = new TestLogger();
        var before = Files(_folder);

        var result = await PruneAsync(apply: false, log);

        Assert.Multiple(() =>
        {
            Assert.That(Files(_folder), Is.EquivalentTo(before));
            Assert.That(result.DryRun, Is.True);
            Assert.That(result.Items, Has.Count.EqualTo(3));
            Assert.That(result.Items, Has.None.Matches<PruneItem>(i => i.Deleted));
            Assert.That(log.AllText, Does.Contain($"Would delete {Path.Combine(_folder, "feature-old.tar")} (1000 B; last written 2026-11-16 12:00 UTC, 15 days ago)"));
        });
    }

    [Test]
    public async Task Given_a_shorter_ttl_When_pruned_Then_the_cutoff_moves_with_it()
    {
        var log = new TestLogger();

        var result = await PruneAsync(apply: false, log, ttl: TimeSpan.FromDays(12));

        Assert.That(result.Items.Select(i => Path.GetFileName(i.Name)), Does.Contain("feature-fresh.tar"), "13 days old is stale with a 12-day TTL");
    }

    private async Task<PruneResult> PruneAsync(bool apply, TestLogger log, TimeSpan? ttl = null)
    {
        var settings = CacheFromSettings.Resolve(new CacheFromOptions
        {
            Image = "cachefrom-tests/app",
            Tag = "release",
            Cache = CacheMode.Tarball,
            CacheDir = _store,
            Context = _context.Directory,
            WorkingDirectory = _context.Directory,
            CacheTtl = ttl,
            PruneApply = apply,
        });
        return await CacheRetention.PruneAsync(settings, log.Logger, new FixedTime(Now));
    }

    private static void Write(string folder, string name, int bytes, int daysOld)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, (Now - TimeSpan.FromDays(daysOld)).UtcDateTime);
    }

    private static List<string> Files(string folder) => Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().ToList();
}
