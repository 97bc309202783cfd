using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CacheFrom.Fingerprints;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

public sealed class ContextIndexTests
{
    [Test]
    public async Task Every_entry_has_its_type_mode_size_link_target_and_content_hash()
    {
        using var context = new ContextFolder()
            .Write("app/run.sh", "echo hi\n")
            .Mode("app/run.sh", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
            .Write("Gemfile", "gem 'rake'\n")
            .Link("app/current", "run.sh");

        var index = await context.IndexAsync();

        Assert.That(index.Entries.Select(e => e.Path), Is.EqualTo(new[] { "Gemfile", "app", "app/current", "app/run.sh" }), "ordered by path, directories included");
        var script = index.Find("app/run.sh")!;
        Assert.Multiple(() =>
        {
            Assert.That(script.Kind, Is.EqualTo(ContextEntryKind.File));
            Assert.That(script.Mode, Is.EqualTo(0x1E4), "0744");
            Assert.That(script.Size, Is.EqualTo(8));
            Assert.That(script.ContentHash, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("echo hi\n")))));
            Assert.That(index.Find("app")!.Kind, Is.EqualTo(ContextEntryKind.Directory));
            Assert.That(index.Find("app/current")!.Kind, Is.EqualTo(ContextEntryKind.Symlink));
            Assert.That(index.Find("app/current")!.LinkTarget, Is.EqualTo("run.sh"));
            Assert.That(index.Find("app/current")!.ContentHash, Is.Null, "a link is not followed");
        });
    }

    [Test]
    public async Task A_file_larger_than_the_read_buffer_is_hashed_whole()
    {
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        using var context = new ContextFolder();
        await File.WriteAllBytesAsync(Path.Combine(context.Directory, "big.bin"), content);

        var index = await context.IndexAsync();

        Assert.That(index.Find("big.bin")!.ContentHash, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(content))));
    }

    [Test]
    public async Task Files_the_dockerignore_excludes_are_not_in_the_index_but_re_included_ones_are()
    {
        using var context = new ContextFolder()
            .Write(".dockerignore", "*.md\nlogs\n!logs/keep.txt\n")
            .Write("README.md", "docs")
            .Write("logs/a.log", "noise")
            .Write("logs/keep.txt", "kept")
            .Write("app/x", "x");

        var index = await context.IndexAsync();

        Assert.That(index.Entries.Select(e => e.Path), Is.EqualTo(new[] { ".dockerignore", "app", "app/x", "logs/keep.txt" }));
        Assert.That(index.IsDirectory("logs"), Is.True, "an excluded directory that holds a re-included file is still a directory of the context");
    }

    [Test]
    public async Task Two_checkouts_of_the_same_files_at_different_times_index_alike()
    {
        using var first = new ContextFolder().Write("app/greeting.txt", "hello\n").Write("Gemfile", "g\n");
        using var second = new ContextFolder().Write("Gemfile", "g\n").Write("app/greeting.txt", "hello\n");
        foreach (var file in Directory.EnumerateFileSystemEntries(second.Directory, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));

        var a = await first.IndexAsync();
        var b = await second.IndexAsync();

        Assert.That(a.Entries, Has.Count.EqualTo(3));
        Assert.That(b.Entries.Select(e => e.Digest), Is.EqualTo(a.Entries.Select(e => e.Digest)), "mtimes (and the order files were written in) do not matter");
    }

    [Test]
    public async Task A_mode_change_changes_the_entry()
    {
        using var context = new ContextFolder().Write("run.sh", "x");
        var before = (await context.IndexAsync()).Find("run.sh")!.Digest;

        context.Mode("run.sh", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var after = (await context.IndexAsync()).Find("run.sh")!.Digest;

        Assert.That(after, Is.Not.EqualTo(before));
    }

    [Test]
    public async Task A_fifo_is_indexed_as_special_and_never_read()
    {
        using var context = new ContextFolder().Write("a.txt", "a");
        var fifo = Path.Combine(context.Directory, "pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var index = await ContextIndex.BuildAsync(context.Directory, CacheFrom.BuildContext.DockerIgnore.Empty, timeout.Token);

        Assert.That(index.Find("pipe")!.Kind, Is.EqualTo(ContextEntryKind.Special));
        Assert.That(index.Find("pipe")!.ContentHash, Is.Null);
    }

    [TestCase("*.txt", new[] { "a.txt", "b.txt" })]
    [TestCase("dir/*.txt", new[] { "dir/c.txt" })]
    [TestCase("*/c.txt", new[] { "dir/c.txt" })]
    [TestCase("[ab].txt", new[] { "a.txt", "b.txt" })]
    [TestCase("[^a].txt", new[] { "b.txt" })]
    [TestCase("?.txt", new[] { "a.txt", "b.txt" })]
    [TestCase("d*", new[] { "dir", "dir/c.txt", "dir/sub", "dir/sub/d.txt" })]
    [TestCase("dir", new[] { "dir", "dir/c.txt", "dir/sub", "dir/sub/d.txt" })]
    [TestCase("./dir/../a.txt", new[] { "a.txt" })]
    [TestCase(".", new[] { "a.txt", "b.txt", "dir", "dir/c.txt", "dir/sub", "dir/sub/d.txt" })]
    public async Task Sources_match_as_Go_filepath_Match_with_directories_copied_whole(string source, string[] expected)
    {
        using var context = new ContextFolder().Write("a.txt", "a").Write("b.txt", "b").Write("dir/c.txt", "c").Write("dir/sub/d.txt", "d");
        var index = await context.IndexAsync();

        var taken = index.Resolve(source, allowWildcards: true, out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(taken.Select(e => e.Path), Is.EqualTo(expected));
    }

    [Test]
    public async Task A_symlinked_source_takes_its_target_too_and_a_bad_pattern_is_a_problem()
    {
        using var context = new ContextFolder().Write("real/x.txt", "x").Link("alias", "real");
        var index = await context.IndexAsync();

        var viaLink = index.Resolve("alias", allowWildcards: true, out var none);
        index.Resolve("[a", allowWildcards: true, out var bad);

        Assert.That(none, Is.Null);
        Assert.That(viaLink.Select(e => e.Path), Is.EqualTo(new[] { "alias", "real", "real/x.txt" }));
        Assert.That(bad, Does.Contain("not a valid pattern"));
    }

    [Test]
    public async Task Indexing_a_context_of_20000_files_is_measured()
    {
        using var context = new ContextFolder();
        var random = new Random(11);
        for (var d = 0; d < 200; d++)
        {
            var directory = Path.Combine(context.Directory, $"src/module{d / 20:D2}/part{d % 20:D2}");
            Directory.CreateDirectory(directory);
            for (var f = 0; f < 100; f++)
            {
                // Source-file sizes: a few KiB each, 40 MiB or so in all.
                var bytes = new byte[random.Next(200, 4000)];
                random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(directory, $"file{f:D3}.cs"), bytes);
            }
        }

        var first = await context.IndexAsync();
        var second = await context.IndexAsync();

        Assert.That(first.FileCount, Is.EqualTo(20_000));
        Assert.That(second.Entries.Select(e => e.Digest), Is.EqualTo(first.Entries.Select(e => e.Digest)));
        await TestContext.Out.WriteLineAsync(
            $"context index: {first.FileCount} files, {first.TotalBytes / 1024 / 1024.0:0.0} MiB, {first.Entries.Count} entries: "
            + $"{first.Elapsed.TotalMilliseconds:0} ms (first), {second.Elapsed.TotalMilliseconds:0} ms (again); {Environment.ProcessorCount} cores");
    }
}
