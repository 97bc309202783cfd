using System.Formats.Tar;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Tarballs;

/// <summary>The tarball served as a read-only registry (BuildKit on the containerd store reads cache only from registries), without an engine.</summary>
[TestFixture]
public sealed class TarballRegistryTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cachefrom-tarball-registry-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Given_an_OCI_layout_tarball_When_served_Then_manifests_by_tag_and_digest_and_blobs_answer_as_a_registry_does()
    {
        var (tarball, manifestDigest, manifest, layerDigest, layer) = OciLayout("docker.io/cachefrom-tests/app:main--builder");
        await using var registry = (await OpenAsync(tarball))!;
        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry.Host}/") };

        using var ping = await http.GetAsync("v2/");
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v2/cachefrom-tests/app/manifests/main--builder"));
        var byDigest = await http.GetByteArrayAsync($"v2/cachefrom-tests/app/manifests/{manifestDigest}");
        var blob = await http.GetByteArrayAsync($"v2/cachefrom-tests/app/blobs/{layerDigest}");
        using var missing = await http.GetAsync("v2/cachefrom-tests/app/manifests/other");

        Assert.Multiple(() =>
        {
            Assert.That(registry.Serve(ImageReference.Parse("cachefrom-tests/app", "main--builder")), Is.EqualTo($"{registry.Host}/cachefrom-tests/app:main--builder"));
            Assert.That(registry.Serve(ImageReference.Parse("cachefrom-tests/app", "feature")), Is.Null);
            Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(head.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(manifestDigest));
            Assert.That(head.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(manifest.Length));
            Assert.That(byDigest, Is.EqualTo(manifest));
            Assert.That(blob, Is.EqualTo(layer));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Given_a_TLS_hello_When_it_reaches_the_registry_Then_it_answers_with_an_HTTP_status_line_so_the_engine_falls_back_to_plain_HTTP()
    {
        var (tarball, _, _, _, _) = OciLayout("docker.io/cachefrom-tests/app:main");
        await using var registry = (await OpenAsync(tarball))!;
        using var client = new TcpClient();
        var port = int.Parse(registry.Host.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0xEE, 0x01, 0x00, 0x00, 0xEA, 0x03, 0x03 });

        var answer = new byte[5];
        await stream.ReadExactlyAsync(answer);

        Assert.That(Encoding.ASCII.GetString(answer), Is.EqualTo("HTTP/"));
    }

    [Test]
    public async Task Given_a_legacy_docker_save_tarball_When_opened_Then_it_is_not_served()
    {
        var tarball = Path.Combine(_directory, "legacy.tar");
        await using (var writer = new TarWriter(File.Create(tarball), TarEntryFormat.Gnu))
            await writer.WriteEntryAsync(Entry("manifest.json", "[]"u8.ToArray()));

        Assert.That(await OpenAsync(tarball), Is.Null);
    }

    private (string Tarball, string ManifestDigest, byte[] Manifest, string LayerDigest, byte[] Layer) OciLayout(string imageName)
    {
        var layer = RandomNumberGenerator.GetBytes(70_000);
        var layerDigest = Digest(layer);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest(config)}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layerDigest}}","size":{{layer.Length}}}]}""");
        var manifestDigest = Digest(manifest);
        var index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifestDigest}}}","size":{{{manifest.Length}}},"annotations":{"io.containerd.image.name":"{{{imageName}}}"}}]}""");
        var tarball = Path.Combine(_directory, "oci.tar");
        using (var writer = new TarWriter(File.Create(tarball), TarEntryFormat.Gnu))
        {
            writer.WriteEntry(Entry("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray()));
            writer.WriteEntry(Entry("index.json", index));
            foreach (var blob in new[] { layer, config, manifest })
                writer.WriteEntry(Entry("blobs/sha256/" + Digest(blob)[7..], blob));
        }

        return (tarball, manifestDigest, manifest, layerDigest, layer);
    }

    private static GnuTarEntry Entry(string name, byte[] content) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    // The store hands the registry an opened, verified tarball; a test opens the file itself.
    private static async Task<TarballRegistry?> OpenAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return await TarballRegistry.OpenAsync(stream, new TestLogger().Logger);
    }
}
