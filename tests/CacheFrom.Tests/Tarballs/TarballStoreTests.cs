using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Tarballs;

/// <summary>The store's own rules, on local files only: only the very file that failed is set aside; a full or read-only store says so.</summary>
public sealed class TarballStoreTests
{
    private static readonly ImageReference Image = ImageReference.Parse("cachefrom-tests/app", "main");
    private string _directory = "";

    [SetUp]
    public void CreateStore() => _directory = Directory.CreateTempSubdirectory("cachefrom-store-").FullName;

    [TearDown]
    public void DeleteStore() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task A_tarball_that_failed_its_local_read_is_set_aside_and_no_longer_under_its_name()
    {
        var store = new TarballStore(_directory, new TestLogger().Logger);
        var path = await PutAsync(store, SavedArchive.Bytes("not a tar"));

        QuarantineOutcome outcome;
        await using (var tarball = OpenedTarball.Open(path))
        {
            Assert.ThrowsAsync<CorruptTarballException>(() => tarball.VerifyAsync());
            outcome = store.Quarantine(tarball);
        }

        Assert.Multiple(() =>
        {
            Assert.That(outcome.ReplacedMeanwhile, Is.False);
            Assert.That(outcome.Aside, Does.StartWith(path + ".corrupt-"));
            Assert.That(File.ReadAllText(outcome.Aside!), Is.EqualTo("not a tar"), "the bad file is kept for inspection");
            Assert.That(File.Exists(path), Is.False);
        });
    }

    [Test]
    public async Task A_tarball_another_run_renamed_over_the_bad_one_meanwhile_is_left_in_place()
    {
        var log = new TestLogger();
        var store = new TarballStore(_directory, log.Logger);
        var path = await PutAsync(store, SavedArchive.Bytes("not a tar"));
        var good = SavedArchive.Legacy();

        QuarantineOutcome outcome;
        await using (var tarball = OpenedTarball.Open(path))
        {
            Assert.ThrowsAsync<CorruptTarballException>(() => tarball.VerifyAsync());
            // A concurrent job's save lands now: temp file, then rename over the path (what WriteAsync does).
            await store.WriteAsync(Image, (stream, token) => stream.WriteAsync(good, token).AsTask());
            outcome = store.Quarantine(tarball);
        }

        Assert.Multiple(() =>
        {
            Assert.That(outcome.ReplacedMeanwhile, Is.True);
            Assert.That(outcome.Aside, Is.Null);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(good), "the good tarball stays under its name");
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1), "nothing was set aside");
        });
    }

    [Test]
    public async Task A_store_that_fills_up_says_it_is_full_and_keeps_the_previous_tarball()
    {
        using var mount = TmpfsMount.Create(256 * 1024);
        var store = new TarballStore(mount.Directory, new TestLogger().Logger);
        var previous = await PutAsync(store, SavedArchive.Legacy());
        var previousBytes = await File.ReadAllBytesAsync(previous);

        var exception = Assert.ThrowsAsync<TarballStoreException>(() =>
            store.WriteAsync(Image, (stream, token) => stream.WriteAsync(new byte[1024 * 1024], token).AsTask()));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain($"The tarball store {mount.Directory} is full").And.Contain("No space left on device"));
            Assert.That(File.ReadAllBytes(previous), Is.EqualTo(previousBytes));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(previous)!), Is.EqualTo(new[] { previous }), "no partial file is left");
        });
    }

    [Test]
    public async Task A_read_only_store_says_it_is_read_only()
    {
        using var mount = TmpfsMount.Create(256 * 1024);
        var store = new TarballStore(mount.Directory, new TestLogger().Logger);
        await PutAsync(store, SavedArchive.Legacy());
        mount.MakeReadOnly();

        var exception = Assert.ThrowsAsync<TarballStoreException>(() =>
            store.WriteAsync(Image, (stream, token) => stream.WriteAsync(new byte[10], token).AsTask()));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain($"The tarball store {mount.Directory} is read-only").And.Contain("Read-only file system"));
    }

    private static async Task<string> PutAsync(TarballStore store, byte[] content)
    {
        var path = store.PathFor(Image);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);
        return path;
    }
}
