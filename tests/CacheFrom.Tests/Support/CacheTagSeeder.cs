using System.Globalization;
using System.Text;
using System.Text.Json;
using CacheFrom.Distribution;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.Resilience;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Writes small images and history artifacts straight into a registry (no engine), each with the
/// time it was written, so retention tests can set up a repository of branches of any age.
/// </summary>
internal sealed class CacheTagSeeder : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly RegistryClient _client;

    public CacheTagSeeder(string repository, TestLogger log)
    {
        Repository = RegistryRepository.Parse(repository);
        _client = new RegistryClient(new RetryOptions { MaxRetryAttempts = 0 }, TimeProvider.System, log.Logger);
    }

    public RegistryRepository Repository { get; }

    /// <summary>
    /// An image (an OCI manifest, a config whose <c>created</c> is <paramref name="created"/>, one layer of
    /// <paramref name="content"/>) under <paramref name="tag"/>. The same content and time give the same digest.
    /// Returns the digest and the bytes PruneCache counts for it (manifest, config, layer).
    /// </summary>
    public async Task<(string Digest, long Bytes)> ImageAsync(string tag, DateTimeOffset created, string content)
    {
        var config = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["rootfs"] = new { type = "layers", diff_ids = Array.Empty<string>() },
        }));
        var configDescriptor = await _client.Blobs.UploadAsync(Repository, config, MediaTypes.OciConfig, null);
        var layer = await _client.Blobs.UploadAsync(Repository, Encoding.UTF8.GetBytes(content), MediaTypes.OciLayer, null);
        var manifest = RegistryManifest.CreateOci(configDescriptor, [layer]);
        var written = await _client.Manifests.PutAsync(Repository, tag, manifest, null);
        return (written.Digest, manifest.Size + configDescriptor.Size + layer.Size);
    }

    /// <summary>The same manifest as <paramref name="fromTag"/> under <paramref name="toTag"/> (one digest, two tags).</summary>
    public Task RetagAsync(string fromTag, string toTag) => _client.RetagAsync(Repository, fromTag, toTag, null);

    /// <summary>A history artifact under <paramref name="tag"/>, created at <paramref name="created"/>, whose one entry was last used at <paramref name="usedAt"/>.</summary>
    public async Task<string> HistoryAsync(string tag, DateTimeOffset created, DateTimeOffset? usedAt = null)
    {
        var used = usedAt ?? created;
        var history = new CacheHistory([new CacheHistoryEntry("builder", "RUN make " + tag, 1, 12.5, used < created ? used : created, used, 1)]);
        var written = await HistoryArtifact.WriteAsync(_client, Repository, tag, history, created, null, CancellationToken.None);
        return written.Digest;
    }

    /// <summary>The repository's tags, read with a plain request (not the client under test).</summary>
    public async Task<IReadOnlyList<string>> TagsAsync()
    {
        using var response = await Http.GetAsync(new Uri($"http://{Repository.Registry}/v2/{Repository.Path}/tags/list?n=10000"));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>The manifest's bytes plus the sizes of the config and layers it names, read with a plain request.</summary>
    public async Task<long> ImageSizeAsync(string tag)
    {
        var manifest = await RegistryApi.ManifestAsync(Repository.ToString(), tag) ?? throw new InvalidOperationException($"{tag} does not exist");
        using var document = JsonDocument.Parse(manifest.Body);
        var root = document.RootElement;
        return manifest.Body.Length + root.GetProperty("config").GetProperty("size").GetInt64()
            + root.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
    }

    public void Dispose() => _client.Dispose();
}
