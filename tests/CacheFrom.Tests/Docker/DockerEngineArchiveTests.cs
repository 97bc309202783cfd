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
    public async Task A_truncated_tarball_is_reported_as_corrupt()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueLocalRepository("truncated"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        using var whole = new MemoryStream();
        await engine.SaveAsync([reference.ToString()], whole);
        using var truncated = new MemoryStream(whole.ToArray()[..(int)(whole.Length / 2)]);

        var exception = Assert.ThrowsAsync<CorruptTarballException>(() => engine.LoadAsync(truncated));

        TestContext.Out.WriteLine(exception!.Message);
    }

    [Test]
    public async Task Garbage_instead_of_a_tarball_is_reported_as_corrupt()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        using var garbage = new MemoryStream("this is not a tar file at all"u8.ToArray());

        Assert.ThrowsAsync<CorruptTarballException>(() => engine.LoadAsync(garbage));
    }
}
