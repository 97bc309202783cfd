using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.References;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineRegistryTests
{
    [Test]
    public async Task A_pushed_image_is_found_in_the_registry_and_pulls_back_after_it_is_removed_locally()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueRepository("push"), "v1");
        // A layer of its own, so the pull has something to download (the base image's layer stays local).
        using (var context = new TemporaryContext($"FROM BASE\nRUN echo {Guid.NewGuid():N} > /unique\n"))
        {
            await engine.BuildAsHostsDoAsync(new ImageBuildRequest
            {
                ContextDirectory = context.Directory,
                DockerfilePath = context.DockerfilePath,
                Tags = [reference.ToString()],
                DisplayName = "unique layer",
            }, log);
        }

        var pushed = await engine.PushAsync(reference, credentials: null);
        var remote = await engine.InspectRemoteAsync(reference, credentials: null);
        await DockerCli.CheckAsync("rmi", reference.ToString());
        // BuildKit's cache still holds the layer (a pull would say "Already exists"): drop it too.
        await DockerCli.CheckAsync("builder", "prune", "-af");
        var pulled = await engine.PullAsync(reference, credentials: null);

        // The containerd image store reports a small layer's push and pull with no byte counts at all
        // ("Pushed" and "Download complete" with an empty progressDetail, measured on Docker 26.1):
        // there the transfer is checked by the registry's tag and the pulled image alone.
        var bytesReported = !await DockerCli.UsesContainerdStoreAsync();
        Assert.Multiple(async () =>
        {
            if (bytesReported)
            {
                Assert.That(pushed.Bytes, Is.GreaterThan(0), "the first push of a repository uploads its layer");
                Assert.That(pulled.Bytes, Is.GreaterThan(0));
            }

            Assert.That(remote, Is.Not.Null);
            Assert.That(remote!.Digest, Does.StartWith("sha256:"));
            Assert.That(remote.Size, Is.GreaterThan(0));
            Assert.That(await DockerCli.ImageExistsAsync(reference.ToString()), Is.True);
            Assert.That(await RegistryApi.TagExistsAsync(reference.Repository, reference.Tag), Is.True, "the registry itself has the tag");
        });
    }

    [Test]
    public async Task Inspecting_a_tag_that_does_not_exist_returns_null()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var missingRepository = await engine.InspectRemoteAsync(ImageReference.Parse(TestEnvironment.UniqueRepository("missing"), "v1"), credentials: null);

        Assert.That(missingRepository, Is.Null);
    }

    [Test]
    public async Task Inspecting_a_missing_tag_of_an_existing_repository_returns_null()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(TestEnvironment.UniqueRepository("tags"), "present");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        await engine.PushAsync(reference, credentials: null);

        var missingTag = await engine.InspectRemoteAsync(reference.WithTag("absent"), credentials: null);

        Assert.That(missingTag, Is.Null);
    }

    [Test]
    public async Task Pushing_to_a_registry_nobody_listens_on_says_it_is_unreachable()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse($"127.0.0.1:5999/cachefrom-tests/dead-{Guid.NewGuid():N}", "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);

        var exception = Assert.ThrowsAsync<RegistryException>(() => engine.PushAsync(reference, credentials: null));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception, Is.Not.InstanceOf<RegistryAuthenticationException>());
        Assert.That(exception.Registry, Is.EqualTo("127.0.0.1:5999"));
        Assert.That(exception.Message, Does.Contain("registry 127.0.0.1:5999 is unreachable (connection refused)"));
    }

    [Test]
    public async Task Inspecting_a_tag_in_a_registry_nobody_listens_on_says_it_is_unreachable()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<RegistryException>(() =>
            engine.InspectRemoteAsync(ImageReference.Parse("127.0.0.1:5999/cachefrom-tests/dead", "v1"), credentials: null));

        Assert.That(exception!.Message, Does.Contain("registry 127.0.0.1:5999 is unreachable"));
    }

    [Test]
    public async Task Pulling_a_tag_that_does_not_exist_says_so()
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<RegistryException>(() =>
            engine.PullAsync(ImageReference.Parse(TestEnvironment.UniqueRepository("nopull"), "v1"), credentials: null));

        Assert.That(exception!.Message, Does.Contain("does not exist"));
    }
}
