using System.Runtime.Versioning;
using System.Threading.Channels;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.BuildKit.Session.Protocol.FileSync;
using CacheFrom.Sessions;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using PacketType = CacheFrom.BuildKit.Session.Protocol.FileSync.Packet.Types.PacketType;

namespace CacheFrom.Tests.Session;

/// <summary>FileSync without an engine: Go's mode bits, fsutil's walk order, what the filters send, the packet exchange.</summary>
[UnsupportedOSPlatform("windows")]
[TestFixture]
public sealed class FileSyncUnitTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "cachefrom-filesync-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteRoot() => SessionTestSupport.Delete(_root);

    [Test]
    public void Given_entries_of_each_kind_When_their_stat_is_made_Then_the_mode_is_Go_FileMode_not_POSIX()
    {
        Write("tool.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_root, "tool.sh"), (UnixFileMode)0b111_101_101 | UnixFileMode.SetUser);
        Directory.CreateDirectory(Path.Combine(_root, "dir"));
        File.SetUnixFileMode(Path.Combine(_root, "dir"), (UnixFileMode)0b111_101_101 | UnixFileMode.StickyBit);
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "tool.sh");

        var tool = TreeWalker.StatOf(new FileInfo(Path.Combine(_root, "tool.sh")), "tool.sh");
        var dir = TreeWalker.StatOf(new DirectoryInfo(Path.Combine(_root, "dir")), "dir");
        var link = TreeWalker.StatOf(new FileInfo(Path.Combine(_root, "link")), "link");

        Assert.Multiple(() =>
        {
            Assert.That(tool.Mode, Is.EqualTo(0x1EDu | (1u << 23)), "0755 plus Go's setuid bit");
            Assert.That(tool.Size, Is.EqualTo(10));
            Assert.That(dir.Mode, Is.EqualTo((1u << 31) | (1u << 20) | 0x1EDu), "Go's directory and sticky bits");
            Assert.That(dir.Size, Is.Zero);
            Assert.That(link.Mode, Is.EqualTo((1u << 27) | 0x1FFu), "Go's symlink bit, 0777 as Linux reports");
            Assert.That(link.Linkname, Is.EqualTo("tool.sh"));
            Assert.That(link.Size, Is.EqualTo("tool.sh".Length));
            Assert.That(new[] { tool.Uid, tool.Gid, dir.Uid, link.Gid }, Is.All.Zero, "owners are sent as 0:0");
            Assert.That(GoFileMode.HasData(tool.Mode), Is.True);
            Assert.That(GoFileMode.HasData(dir.Mode) || GoFileMode.HasData(link.Mode), Is.False);
            Assert.That(tool.ModTime, Is.EqualTo((File.GetLastWriteTimeUtc(Path.Combine(_root, "tool.sh")) - DateTime.UnixEpoch).Ticks * 100));
        });
    }

    [Test]
    public void Given_a_fifo_and_a_socket_When_walked_Then_the_fifo_is_a_named_pipe_without_data_and_the_socket_is_left_out()
    {
        Write("file.txt", "x");
        var fifo = Path.Combine(_root, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
            mkfifo.WaitForExit();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_root, "sock")));

        var entries = Walk(Context()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.Stat.Path), Is.EqualTo(new[] { "file.txt", "pipe" }));
            Assert.That(entries[1].Stat.Mode & GoFileMode.TypeMask, Is.EqualTo(GoFileMode.NamedPipe));
            Assert.That(entries[1].HasData, Is.False, "a FIFO's contents are never read");
            Assert.That(entries[0].HasData, Is.True);
        });
    }

    [Test]
    public void Given_names_that_sort_differently_by_character_and_by_path_When_walked_Then_the_order_is_the_one_fsutil_validates()
    {
        Write("a/x", "1");
        Write("a-b", "2");
        Write("a.txt", "3");
        Write("B", "4");
        Write("\U0001F600", "5"); // beyond the BMP: UTF-16 ordinal order puts it before U+FF5E, UTF-8 byte order after
        Write("\uFF5E", "6");
        Directory.CreateDirectory(Path.Combine(_root, "a", "empty"));

        var paths = Walk(Context()).Select(e => e.Stat.Path).ToList();

        Assert.That(paths, Is.EqualTo(new[] { "B", "a", "a/empty", "a/x", "a-b", "a.txt", "\uFF5E", "\U0001F600" }));
        AssertFsutilOrder(paths, Walk(Context()).Where(e => (e.Stat.Mode & GoFileMode.Directory) != 0).Select(e => e.Stat.Path).ToHashSet());
    }

    [Test]
    public void Given_ignore_rules_When_the_context_is_walked_Then_excluded_paths_are_never_listed_and_a_reincluded_file_brings_its_parent()
    {
        Write(".dockerignore", "secret.txt\nlogs\n!logs/keep.log\n*.tmp\n.dockerignore\n");
        Write("secret.txt", "no");
        Write("logs/other.log", "no");
        Write("logs/keep.log", "yes");
        Write("work.tmp", "no");
        Write("src/app.txt", "yes");

        var paths = Walk(Context(File.ReadAllLines(Path.Combine(_root, ".dockerignore")))).Select(e => e.Stat.Path).ToList();

        Assert.That(paths, Is.EqualTo(new[] { ".dockerignore", "logs", "logs/keep.log", "src", "src/app.txt" }), "BuildKit reads .dockerignore itself, so our rules never hide it");
    }

    [Test]
    public void Given_followpaths_and_BuildKit_excludes_When_walked_Then_only_those_paths_and_their_parents_are_sent()
    {
        Write("app/src/main.txt", "1");
        Write("app/src/skip.log", "2");
        Write("app/other.txt", "3");
        Write("top.txt", "4");
        Directory.CreateDirectory(Path.Combine(_root, "app", "real"));
        Write("app/real/target.txt", "5");
        File.CreateSymbolicLink(Path.Combine(_root, "app", "alias"), "real");

        var request = new SyncRequest("context", ["app/src", "app/alias/target.txt"], [], ["**/*.log"]);
        var paths = TreeWalker.Walk(_root, SyncFilter.For(Context(), request)).Select(e => e.Stat.Path).ToList();

        Assert.That(paths, Is.EqualTo(new[] { "app", "app/alias", "app/real", "app/real/target.txt", "app/src", "app/src/main.txt" }));
    }

    [Test]
    public void Given_the_dockerfile_directory_When_BuildKit_asks_for_everything_Then_only_the_Dockerfile_and_its_ignore_file_are_sent()
    {
        Write("app.Dockerfile", "FROM scratch\n");
        Write("app.Dockerfile.dockerignore", "x\n");
        Write("beside.txt", "private");
        Write("nested/app.Dockerfile", "no");
        var directory = LocalDirectory.For(new BuildSessionContext
        {
            ContextDirectory = Path.GetTempPath(),
            DockerfileDirectory = _root,
            DockerfileName = "app.Dockerfile",
        })[LocalDirectory.DockerfileName];

        var everything = TreeWalker.Walk(_root, SyncFilter.For(directory, new SyncRequest("dockerfile", [], [], []))).Select(e => e.Stat.Path);
        var asked = TreeWalker.Walk(_root, SyncFilter.For(directory, new SyncRequest("dockerfile", ["app.Dockerfile", "app.Dockerfile.dockerignore"], [], [])))
            .Select(e => e.Stat.Path);

        Assert.Multiple(() =>
        {
            Assert.That(everything, Is.EqualTo(new[] { "app.Dockerfile", "app.Dockerfile.dockerignore" }));
            Assert.That(asked, Is.EqualTo(new[] { "app.Dockerfile", "app.Dockerfile.dockerignore" }));
        });
    }

    [Test]
    public void Given_encoded_and_repeated_metadata_When_the_request_is_read_Then_each_value_is_kept_whole()
    {
        var headers = new HeaderDictionary
        {
            ["dir-name"] = "context",
            ["followpaths"] = new Microsoft.Extensions.Primitives.StringValues(["a,b", "caf%C3%A9+menu"]),
            ["followpaths-encoded"] = "1",
            ["exclude-patterns"] = new Microsoft.Extensions.Primitives.StringValues(["*.log", "tmp"]),
        };

        var request = SyncRequest.From(headers);

        Assert.Multiple(() =>
        {
            Assert.That(request.DirectoryName, Is.EqualTo("context"));
            Assert.That(request.FollowPaths, Is.EqualTo(new[] { "a,b", "café menu" }));
            Assert.That(request.ExcludePatterns, Is.EqualTo(new[] { "*.log", "tmp" }));
            Assert.That(request.IncludePatterns, Is.Empty);
        });
    }

    [Test]
    public async Task Given_a_receiver_that_asks_for_some_files_When_DiffCopy_runs_Then_ids_are_listing_indexes_data_comes_in_chunks_and_FIN_is_answered()
    {
        var big = new byte[DiffCopySender.ChunkSize * 2 + 100];
        new Random(7).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(_root, "big.bin"), big);
        Write("dir/small.txt", "small");
        Write("empty.txt", "");
        var incoming = new PacketQueue();
        var outgoing = new PacketQueue();
        var record = new TransferRecord("context");
        var sender = new DiffCopySender(incoming, outgoing, record);

        var run = sender.RunAsync(Walk(Context()));
        var stats = new List<Stat>();
        while (await outgoing.NextAsync() is { Type: PacketType.PacketStat } stat && stat.Stat is not null)
            stats.Add(stat.Stat);
        Assert.That(stats.Select(s => s.Path), Is.EqualTo(new[] { "big.bin", "dir", "dir/small.txt", "empty.txt" }));

        // Ask for big.bin (id 0) and dir/small.txt (id 2: the directory has an id too); not empty.txt.
        incoming.Push(new Packet { Type = PacketType.PacketReq, ID = 0 });
        incoming.Push(new Packet { Type = PacketType.PacketReq, ID = 2 });
        var data = new Dictionary<uint, List<ByteString>>();
        var finished = new HashSet<uint>();
        while (finished.Count < 2)
        {
            var packet = await outgoing.NextAsync();
            Assert.That(packet.Type, Is.EqualTo(PacketType.PacketData));
            if (packet.Data.IsEmpty)
                finished.Add(packet.ID);
            else
                (data.TryGetValue(packet.ID, out var list) ? list : data[packet.ID] = []).Add(packet.Data);
        }

        incoming.Push(new Packet { Type = PacketType.PacketFin });
        var fin = await outgoing.NextAsync();
        await run;

        Assert.Multiple(() =>
        {
            Assert.That(data[0].Select(d => d.Length), Is.EqualTo(new[] { DiffCopySender.ChunkSize, DiffCopySender.ChunkSize, 100 }));
            Assert.That(data[0].SelectMany(d => d.ToByteArray()).ToArray(), Is.EqualTo(big));
            Assert.That(data[2].Single().ToStringUtf8(), Is.EqualTo("small"));
            Assert.That(fin.Type, Is.EqualTo(PacketType.PacketFin));
            Assert.That(record.Files, Is.EqualTo(2));
            Assert.That(record.Bytes, Is.EqualTo(big.Length + 5));
        });
    }

    [Test]
    public async Task Given_a_receiver_that_asks_for_a_directory_When_DiffCopy_runs_Then_it_fails_with_an_error_packet()
    {
        Write("dir/small.txt", "small");
        var incoming = new PacketQueue();
        var outgoing = new PacketQueue();
        var run = new DiffCopySender(incoming, outgoing, new TransferRecord("context")).RunAsync(Walk(Context()));
        while (await outgoing.NextAsync() is { Stat: not null })
        {
        }

        incoming.Push(new Packet { Type = PacketType.PacketReq, ID = 0 });

        Assert.ThrowsAsync<RpcException>(() => run);
        Assert.That((await outgoing.NextAsync()).Type, Is.EqualTo(PacketType.PacketErr));
    }

    /// <summary>fsutil's receiver check, in our words: every parent listed before its children, names strictly ascending within a directory.</summary>
    private static void AssertFsutilOrder(IReadOnlyList<string> paths, HashSet<string> directories)
    {
        var lastInDirectory = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { "" };
        foreach (var path in paths)
        {
            var slash = path.LastIndexOf('/');
            var parent = slash < 0 ? "" : path[..slash];
            var name = System.Text.Encoding.UTF8.GetBytes(slash < 0 ? path : path[(slash + 1)..]);
            Assert.That(seen, Does.Contain(parent), $"{path} comes before its parent");
            if (lastInDirectory.TryGetValue(parent, out var last))
                Assert.That(name.AsSpan().SequenceCompareTo(last), Is.Positive, $"{path} is out of order");
            lastInDirectory[parent] = name;
            if (directories.Contains(path))
                seen.Add(path);
        }
    }

    private LocalDirectory Context(IReadOnlyList<string>? ignoreRules = null) =>
        LocalDirectory.For(new BuildSessionContext
        {
            ContextDirectory = _root,
            DockerfileDirectory = _root,
            DockerfileName = "Dockerfile",
            IgnoreRules = ignoreRules ?? [],
        })[LocalDirectory.ContextName];

    private IEnumerable<WalkEntry> Walk(LocalDirectory directory) =>
        TreeWalker.Walk(_root, SyncFilter.For(directory, new SyncRequest(directory.Name, [], [], [])));

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>One direction of a DiffCopy stream, in memory.</summary>
    private sealed class PacketQueue : IAsyncStreamReader<Packet>, IServerStreamWriter<Packet>
    {
        private readonly Channel<Packet> _packets = Channel.CreateUnbounded<Packet>();

        public Packet Current { get; private set; } = new();

        public WriteOptions? WriteOptions { get; set; }

        public void Push(Packet packet) => _packets.Writer.TryWrite(packet);

        public async Task<Packet> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _packets.Reader.ReadAsync(timeout.Token);
        }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await _packets.Reader.WaitToReadAsync(cancellationToken))
                return false;
            Current = await _packets.Reader.ReadAsync(cancellationToken);
            return true;
        }

        public Task WriteAsync(Packet message)
        {
            _packets.Writer.TryWrite(message.Clone());
            return Task.CompletedTask;
        }
    }
}
