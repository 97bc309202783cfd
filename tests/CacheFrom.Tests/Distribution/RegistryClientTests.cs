using System.Net;
using System.Text;
using CacheFrom.Distribution;
using CacheFrom.Resilience;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Distribution;

/// <summary>The distribution client against the real registry (distribution 2.8), anonymous.</summary>
[Category("Docker")]
public sealed class RegistryClientTests
{
    private static readonly RetryOptions NoRetries = new() { MaxRetryAttempts = 0 };

    [Test]
    public async Task A_missing_tag_or_repository_is_null_not_an_error()
    {
        using var client = Client(out _);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-missing"));

        Assert.Multiple(async () =>
        {
            Assert.That(await client.Manifests.HeadAsync(repository, "absent", null), Is.Null);
            Assert.That(await client.Manifests.GetAsync(repository, "absent", null), Is.Null);
            Assert.That(await client.Blobs.HeadAsync(repository, ContentDigest.Sha256("nothing"u8), null), Is.Null);
            Assert.That(await client.Tags.ListAsync(repository, null), Is.Empty);
        });
    }

    [Test]
    public async Task An_artifact_written_by_blob_upload_and_manifest_put_reads_back_byte_for_byte()
    {
        using var client = Client(out _);
        var name = TestEnvironment.UniqueRepository("client-artifact");
        var repository = RegistryRepository.Parse(name);
        var payload = Encoding.UTF8.GetBytes("{\"hello\":\"" + Guid.NewGuid() + "\"}");

        var manifest = await PushArtifactAsync(client, repository, "v1", payload);
        var head = await client.Manifests.HeadAsync(repository, "v1", null);
        var read = await client.Manifests.GetAsync(repository, "v1", null);
        var blob = await client.Blobs.ReadAsync(repository, manifest.Layers[0].Digest, 1024, null);
        var independent = await RegistryApi.ManifestAsync(name, "v1");

        Assert.Multiple(() =>
        {
            Assert.That(independent, Is.Not.Null);
            Assert.That(independent!.Digest, Is.EqualTo(manifest.Digest), "the registry addresses it by the digest the client computed");
            Assert.That(independent.Body, Is.EqualTo(manifest.Content), "stored byte for byte");
            Assert.That(independent.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That((head!.MediaType, head.Digest, head.Size), Is.EqualTo((MediaTypes.OciManifest, manifest.Digest, manifest.Size)));
            Assert.That(read!.Content, Is.EqualTo(manifest.Content));
            Assert.That(read.ArtifactType, Is.EqualTo("application/vnd.cachefrom.test+json"));
            Assert.That(read.Layers.Select(l => l.Digest), Is.EqualTo(new[] { ContentDigest.Sha256(payload) }));
            Assert.That(blob, Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task A_blob_the_repository_already_has_is_not_uploaded_again()
    {
        using var client = Client(out var requests);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-dedup"));
        var payload = Encoding.UTF8.GetBytes(Guid.NewGuid().ToString());

        var first = await client.Blobs.UploadAsync(repository, payload, "application/octet-stream", null);
        var uploadsAfterFirst = requests.Count("POST", "/blobs/uploads/");
        var second = await client.Blobs.UploadAsync(repository, payload, "application/octet-stream", null);

        Assert.Multiple(() =>
        {
            Assert.That((second.Digest, second.Size), Is.EqualTo((first.Digest, first.Size)));
            Assert.That(uploadsAfterFirst, Is.EqualTo(1));
            Assert.That(requests.Count("POST", "/blobs/uploads/"), Is.EqualTo(1), "the second upload stopped at its HEAD");
            Assert.That(requests.Count("HEAD", "/blobs/" + first.Digest), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_blob_streams_into_a_file_and_its_digest_is_checked()
    {
        using var client = Client(out _);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-stream"));
        var payload = new byte[3 * 1024 * 1024];
        new Random(11).NextBytes(payload);
        var blob = await client.Blobs.UploadAsync(repository, payload, "application/octet-stream", null);
        var file = Path.Combine(Path.GetTempPath(), "cachefrom-blob-" + Guid.NewGuid().ToString("N"));
        try
        {
            long written;
            await using (var destination = File.Create(file))
                written = await client.Blobs.DownloadAsync(repository, blob.Digest, destination, null);

            Assert.Multiple(async () =>
            {
                Assert.That(written, Is.EqualTo(payload.Length));
                Assert.That(await File.ReadAllBytesAsync(file), Is.EqualTo(payload));
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Reading_a_blob_the_registry_does_not_have_is_blob_unknown()
    {
        using var client = Client(out _);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-noblob"));
        await PushArtifactAsync(client, repository, "v1", "x"u8.ToArray());

        var exception = Assert.ThrowsAsync<RegistryRequestException>(() => client.Blobs.ReadAsync(repository, ContentDigest.Sha256("absent"u8), 1024, null));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(exception.ErrorCode, Is.EqualTo(RegistryErrorCode.BlobUnknown));
            Assert.That(exception.IsTransient, Is.False);
            Assert.That(exception.Message, Does.Contain(TestEnvironment.Registry).And.Contain("BLOB_UNKNOWN"));
        });
    }

    [Test]
    public async Task Every_tag_of_a_repository_is_listed()
    {
        using var client = Client(out _);
        var repository = RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-tags"));
        var manifest = await PushArtifactAsync(client, repository, "main", "t"u8.ToArray());
        await client.Manifests.PutAsync(repository, "feature-a", manifest, null);
        await client.Manifests.PutAsync(repository, "main--cachefrom-history", manifest, null);

        var tags = await client.Tags.ListAsync(repository, null);

        Assert.That(tags, Is.EquivalentTo(new[] { "main", "feature-a", "main--cachefrom-history" }));
    }

    [Test]
    public async Task A_manifest_deleted_by_digest_is_gone_with_every_tag_that_pointed_at_it()
    {
        using var client = Client(out _);
        var name = TestEnvironment.UniqueRepository("client-delete");
        var repository = RegistryRepository.Parse(name);
        var manifest = await PushArtifactAsync(client, repository, "stale", "d"u8.ToArray());
        await client.Manifests.PutAsync(repository, "stale-too", manifest, null);

        var deleted = await client.Manifests.DeleteAsync(repository, manifest.Digest, null);
        var again = await client.Manifests.DeleteAsync(repository, manifest.Digest, null);

        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.True);
            Assert.That(again, Is.False, "a second delete finds nothing");
            Assert.That(await RegistryApi.ManifestAsync(name, "stale"), Is.Null);
            Assert.That(await RegistryApi.ManifestAsync(name, "stale-too"), Is.Null);
        });
    }

    [Test]
    public async Task A_registry_with_deletes_turned_off_gets_one_clear_message()
    {
        await using var registry = await RegistryServer.StartAsync(deleteEnabled: false);
        using var client = Client(out _);
        var repository = RegistryRepository.Parse(registry.UniqueRepository("no-delete"));
        var manifest = await PushArtifactAsync(client, repository, "stale", "d"u8.ToArray());

        var exception = Assert.ThrowsAsync<RegistryRequestException>(() => client.Manifests.DeleteAsync(repository, manifest.Digest, null));

        Assert.Multiple(async () =>
        {
            Assert.That(exception!.DeletesDisabled, Is.True);
            Assert.That(exception.Status, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(exception.Message, Does.StartWith($"The registry {registry.Address} does not allow deletes").And.Contain("storage.delete.enabled"));
            Assert.That(await client.Manifests.HeadAsync(repository, "stale", null), Is.Not.Null, "nothing was deleted");
        });
    }

    [Test]
    public void A_registry_nobody_listens_on_is_retried_then_named_as_unreachable()
    {
        var time = new InstantTimeProvider();
        using var client = new RegistryClient(new RetryOptions(), time, new TestLogger().Logger);
        var repository = RegistryRepository.Parse("127.0.0.1:1/cachefrom-tests/dead");

        // Given up after retries, the last failure is wrapped with how many attempts were made.
        var exception = Assert.CatchAsync<RegistryException>(() => client.Manifests.GetAsync(repository, "main", null));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.InnerException, Is.InstanceOf<RegistryRequestException>().With.Property(nameof(RegistryRequestException.IsTransient)).True);
            Assert.That(exception.Message, Does.Contain("registry 127.0.0.1:1 is unreachable (connection refused)").And.Contain("gave up after 4 attempts"));
            Assert.That(time.Delays, Has.Count.EqualTo(3), "three retries, each after a delay");
        });
    }

    [Test]
    public async Task A_registry_answering_503_is_retried_and_the_status_is_named()
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.ServiceUnavailable);
        var time = new InstantTimeProvider();
        using var client = new RegistryClient(new RetryOptions { MaxRetryAttempts = 2 }, time, new TestLogger().Logger);
        var repository = RegistryRepository.Parse($"{proxy.Address}/cachefrom-tests/unavailable");

        var exception = Assert.CatchAsync<RegistryException>(() => client.Manifests.HeadAsync(repository, "main", null));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.Contain("HTTP 503").And.Contain("gave up after 3 attempts"));
            Assert.That(time.Delays, Has.Count.EqualTo(2));
            Assert.That(proxy.Faults, Is.EqualTo(3), "one request per attempt");
        });
    }

    [Test]
    public void A_cancelled_call_stops_with_a_cancellation_not_a_registry_error()
    {
        using var client = Client(out _);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(
            () => client.Manifests.GetAsync(RegistryRepository.Parse(TestEnvironment.UniqueRepository("client-cancel")), "main", null, cancelled.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    internal static async Task<RegistryManifest> PushArtifactAsync(RegistryClient client, RegistryRepository repository, string tag, byte[] payload,
        CacheFrom.Configuration.RegistryCredentials? credentials = null)
    {
        var config = await client.Blobs.UploadAsync(repository, "{}"u8.ToArray(), MediaTypes.OciEmpty, credentials);
        var layer = await client.Blobs.UploadAsync(repository, payload, "application/vnd.cachefrom.test+json", credentials);
        var manifest = RegistryManifest.CreateOci(config, [layer], "application/vnd.cachefrom.test+json");
        await client.Manifests.PutAsync(repository, tag, manifest, credentials);
        return manifest;
    }

    private static RegistryClient Client(out RecordingHandler requests)
    {
        requests = new RecordingHandler();
        return new RegistryClient(NoRetries, TimeProvider.System, new TestLogger().Logger, requests);
    }
}
