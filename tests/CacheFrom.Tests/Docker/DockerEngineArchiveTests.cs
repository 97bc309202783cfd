using CacheFrom.Docker;
using CacheFrom.Docker.Streams;
using CacheFrom.References;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineArchiveTests
{
    [Test]
    public async Task A_saved_image_loads_back_under_its_reference()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueLocalRepository("save"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        var tarball = Path.Combine(Path.GetTempPath(), $"cachefrom-save-{Guid.NewGuid():N}.tar");

        try
        {
            TransferResult saved;
            await using (var destination = File.Create(tarball))
                saved = await engine.SaveAsync([reference.ToString()], destination);
            await DockerCli.CheckAsync("rmi", reference.ToString());

            await using var source = File.OpenRead(tarball);
            var (loaded, transfer) = await engine.LoadAsync(source);

            Assert.That(saved.Bytes, Is.EqualTo(new FileInfo(tarball).Length));
            Assert.That(transfer.Bytes, Is.EqualTo(saved.Bytes));
            Assert.That(loaded, Does.Contain(reference.ToString()));
            Assert.That(await DockerCli.ImageExistsAsync(reference.ToString()), Is.True);
        }
        finally
        {
            File.Delete(tarball);
        }
    }

    [Test]
    public async Task The_engine_refusing_an_archive_says_so_without_calling_the_file_corrupt()
    {
        // Whether a file is corrupt is decided by reading it locally (Tarballs.TarballVerifier), never by the engine's answer.
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        using var garbage = new MemoryStream("this is not a tar file at all"u8.ToArray());

        var exception = Assert.CatchAsync<CacheFromException>(() => engine.LoadAsync(garbage));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception, Is.Not.InstanceOf<CorruptTarballException>().And.Not.InstanceOf<DockerEngineUnavailableException>());
        Assert.That(exception.Message, Does.Contain($"The Docker engine at {engine.Endpoint} could not load the tarball"));
    }

    [Test]
    public async Task A_destination_that_runs_out_of_space_fails_the_save_as_a_local_write_not_as_the_engine_going_away()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueLocalRepository("save-full"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        using var mount = TmpfsMount.Create(64 * 1024);
        // Unbuffered: the write that finds the disk full is the one inside the save's copy loop.
        await using var destination = new FileStream(Path.Combine(mount.Directory, "save.tar"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);

        var exception = Assert.CatchAsync<Exception>(() => engine.SaveAsync([reference.ToString()], destination));

        TestContext.Out.WriteLine(exception!.ToString());
        Assert.That(exception, Is.InstanceOf<IOException>().And.Not.InstanceOf<CacheFromException>(), "the destination's own failure, untranslated");
        Assert.That(exception.Message, Does.Contain("No space left on device"));
    }

    [Test]
    public async Task A_source_that_fails_to_read_mid_load_is_a_local_failure_not_the_engine_going_away()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueLocalRepository("load-eio"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        using var whole = new MemoryStream();
        await engine.SaveAsync([reference.ToString()], whole);
        using var failing = new FailingReadStream(whole.ToArray(), failAfter: 64 * 1024);

        var exception = Assert.CatchAsync<CacheFromException>(() => engine.LoadAsync(failing));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception, Is.InstanceOf<TarballStoreException>());
        Assert.That(exception.Message, Does.Contain("Input/output error").And.Contain("on this machine"));
    }

    /// <summary>Serves <paramref name="bytes"/>, then fails the way a dying disk does (EIO).</summary>
    private sealed class FailingReadStream(byte[] bytes, int failAfter) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => Position >= failAfter ? throw Eio() : base.Read(buffer, offset, (int)Math.Min(count, failAfter - Position));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? throw Eio() : base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfter - Position)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private static IOException Eio() => new("Input/output error", 5);
    }
}
