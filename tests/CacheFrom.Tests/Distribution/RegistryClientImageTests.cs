using System.Text;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.References;
using CacheFrom.Resilience;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Distribution;

/// <summary>
/// The client on images the engine built and pushed (a Docker schema 2 manifest on overlay2
/// engines, an OCI index on the containerd image store): retag without moving a layer, labels
/// read without a pull.
/// </summary>
[Category("Docker")]
public sealed class RegistryClientImageTests
{
    [Test]
    public async Task A_retag_publishes_the_same_manifest_under_the_new_tag_without_uploading_a_blob()
    {
        var name = TestEnvironment.UniqueRepository("retag");
        await PushImageAsync(ImageReference.Parse(name, "main--builder"), new Dictionary<string, string>());
        var requests = new RecordingHandler();
        using var client = new RegistryClient(new RetryOptions(), TimeProvider.System, new TestLogger().Logger, requests);
        var repository = RegistryRepository.Parse(name);

        var retagged = await client.RetagAsync(repository, "main--builder", "feature-x--builder", null);
        var firstRequests = requests.Requests;
        var again = await client.RetagAsync(repository, "main--builder", "feature-x--builder", null);
        var source = await RegistryApi.ManifestAsync(name, "main--builder");
        var target = await RegistryApi.ManifestAsync(name, "feature-x--builder");

        Assert.Multiple(() =>
        {
            Assert.That(target, Is.Not.Null);
            Assert.That(target!.Digest, Is.EqualTo(source!.Digest), "the same manifest");
            Assert.That(target.Body, Is.EqualTo(source.Body), "byte for byte");
            Assert.That(target.MediaType, Is.EqualTo(source.MediaType));
            Assert.That(retagged.Digest, Is.EqualTo(source.Digest));
            Assert.That(firstRequests, Has.Count.EqualTo(3));
            Assert.That(firstRequests, Has.None.Contains("/blobs/"), "no layer moved, none was even looked at");
            Assert.That(firstRequests, Is.EquivalentTo(new[]
            {
                $"GET /v2/{repository.Path}/manifests/main--builder",
                $"HEAD /v2/{repository.Path}/manifests/feature-x--builder",
                $"PUT /v2/{repository.Path}/manifests/feature-x--builder",
            }));
            Assert.That(again.Digest, Is.EqualTo(source.Digest));
            Assert.That(requests.Requests.Skip(firstRequests.Count).Where(r => r.StartsWith("PUT", StringComparison.Ordinal)), Is.Empty,
                "a tag that already points there is not written again");
        });
    }

    [Test]
    public void A_retag_of_a_tag_that_does_not_exist_says_so()
    {
        using var client = new RegistryClient(new RetryOptions(), TimeProvider.System, new TestLogger().Logger);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("retag-missing"));

        var exception = Assert.ThrowsAsync<RegistryRequestException>(() => client.RetagAsync(repository, "main", "feature-x", null));

        Assert.That(exception!.Message, Does.Contain($"{repository}:main does not exist"));
    }

    [Test]
    public async Task The_labels_of_a_pushed_image_are_read_from_its_config_without_pulling_it()
    {
        var name = TestEnvironment.UniqueRepository("labels");
        var fingerprint = Guid.NewGuid().ToString("N");
        var reference = ImageReference.Parse(name, "main--builder");
        await PushImageAsync(reference, new Dictionary<string, string> { ["org.cachefrom.fingerprint"] = fingerprint });
        var pushed = await RegistryApi.ManifestAsync(name, "main--builder");
        using var client = new RegistryClient(new RetryOptions(), TimeProvider.System, new TestLogger().Logger);

        var config = await client.ReadImageConfigAsync(RegistryRepository.Of(reference), reference.Tag, null);
        var head = await client.Manifests.HeadAsync(RegistryRepository.Of(reference), reference.Tag, null);

        Assert.Multiple(() =>
        {
            Assert.That(config, Is.Not.Null);
            Assert.That(config!.Labels, Does.ContainKey("org.cachefrom.fingerprint").WithValue(fingerprint));
            Assert.That(config.Os, Is.EqualTo("linux"));
            Assert.That(config.Architecture, Is.EqualTo(Platform.Default.Architecture));
            Assert.That(head!.Digest, Is.EqualTo(pushed!.Digest), "HEAD names what the tag resolves to (the index, on the containerd store)");
            TestContext.Progress.WriteLine($"pushed as {pushed.MediaType}");
        });
    }

    [Test]
    public async Task Behind_an_index_the_config_of_this_machines_platform_is_read_and_attestations_are_skipped()
    {
        var name = TestEnvironment.UniqueRepository("labels-index");
        var reference = ImageReference.Parse(name, "single");
        await PushImageAsync(reference, new Dictionary<string, string> { ["org.cachefrom.stage"] = "builder" });
        using var client = new RegistryClient(new RetryOptions(), TimeProvider.System, new TestLogger().Logger);
        var repository = RegistryRepository.Of(reference);
        var image = (await client.Manifests.HeadAsync(repository, "single", null))!;
        // An index as BuildKit writes one: an attestation entry first, then the image, then another platform.
        var entry = $"\"mediaType\":\"{image.MediaType}\",\"digest\":\"{image.Digest}\",\"size\":{image.Size}";
        var index = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":["
            + $"{{{entry},\"platform\":{{\"os\":\"unknown\",\"architecture\":\"unknown\"}}}},"
            + $"{{{entry},\"platform\":{{\"os\":\"linux\",\"architecture\":\"{Platform.Default.Architecture}\"}}}},"
            + $"{{{entry},\"platform\":{{\"os\":\"windows\",\"architecture\":\"amd64\"}}}}]}}");
        await client.Manifests.PutAsync(repository, "multi", RegistryManifest.Parse(index, MediaTypes.OciIndex, ContentDigest.Sha256(index)), null);

        var config = await client.ReadImageConfigAsync(repository, "multi", null);
        var missing = Assert.ThrowsAsync<RegistryRequestException>(() => client.ReadImageConfigAsync(repository, "multi", null, new Platform("linux", "riscv64")));

        Assert.Multiple(() =>
        {
            Assert.That(config!.ManifestDigest, Is.EqualTo(image.Digest));
            Assert.That(config.Labels, Does.ContainKey("org.cachefrom.stage").WithValue("builder"));
            Assert.That(missing!.Message, Does.Contain("has no manifest for linux/riscv64"));
        });
    }

    [Test]
    public async Task The_config_of_a_missing_tag_is_null()
    {
        using var client = new RegistryClient(new RetryOptions(), TimeProvider.System, new TestLogger().Logger);

        var config = await client.ReadImageConfigAsync(RegistryRepository.Parse(TestEnvironment.UniqueRepository("labels-missing")), "main", null);

        Assert.That(config, Is.Null);
    }

    /// <summary>A small image with a layer of its own, built (classic builder: it builds from a tar body on every engine) and pushed by the engine.</summary>
    private static async Task PushImageAsync(ImageReference reference, IReadOnlyDictionary<string, string> labels)
    {
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        using var context = new TemporaryContext($"FROM BASE\nRUN echo {Guid.NewGuid():N} > /unique\n");
        await engine.BuildAsync(new ImageBuildRequest
        {
            ContextDirectory = context.Directory,
            DockerfilePath = context.DockerfilePath,
            Tags = [reference.ToString()],
            Labels = labels,
            Builder = BuilderKind.Classic,
            DisplayName = "image for the client",
        });
        await engine.PushAsync(reference, credentials: null);
    }
}
