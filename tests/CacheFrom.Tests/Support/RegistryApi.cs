using System.Net;

namespace CacheFrom.Tests.Support;

/// <summary>Asks the registry directly (distribution HTTP API), to check pushes independently of the engine.</summary>
internal static class RegistryApi
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary><paramref name="repository"/> includes the registry host: <c>127.0.0.1:5000/team/app</c>.</summary>
    public static async Task<bool> TagExistsAsync(string repository, string tag)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        var host = repository[..slash];
        var path = repository[(slash + 1)..];
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"http://{host}/v2/{path}/manifests/{tag}"));
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await Http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Every tag of <paramref name="repository"/> with the digest its manifest has now: what a run must leave as it was.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ManifestDigestsAsync(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        using var response = await Http.GetAsync(new Uri($"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/tags/list?n=1000"));
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return result;
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var tag in tags.EnumerateArray().Select(t => t.GetString()!))
                result[tag] = (await ManifestAsync(repository, tag))?.Digest ?? "missing";
        }

        return result;
    }

    /// <summary>The manifest under <paramref name="reference"/> (tag or digest) as the registry serves it; null when it has none.</summary>
    public static async Task<RawManifest?> ManifestAsync(string repository, string reference)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/manifests/{reference}"));
        foreach (var type in new[]
        {
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        })
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        return new RawManifest(
            response.Headers.GetValues("Docker-Content-Digest").Single(),
            response.Content.Headers.ContentType?.MediaType ?? "",
            body);
    }

    /// <summary>A label of the image's config (through an index to its first real image), or null when the tag or the label is missing.</summary>
    public static async Task<string?> LabelAsync(string repository, string tag, string label)
    {
        if (await ManifestAsync(repository, tag) is not { } manifest)
            return null;
        using var document = System.Text.Json.JsonDocument.Parse(manifest.Body);
        if (document.RootElement.TryGetProperty("manifests", out var entries))
        {
            var image = entries.EnumerateArray().First(e => !e.TryGetProperty("platform", out var p) || p.GetProperty("os").GetString() != "unknown");
            return await LabelAsync(repository, image.GetProperty("digest").GetString()!, label);
        }

        var config = document.RootElement.GetProperty("config").GetProperty("digest").GetString();
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        var blob = await Http.GetByteArrayAsync(new Uri($"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/blobs/{config}"));
        using var parsed = System.Text.Json.JsonDocument.Parse(blob);
        return parsed.RootElement.TryGetProperty("config", out var c) && c.TryGetProperty("Labels", out var labels)
            && labels.ValueKind == System.Text.Json.JsonValueKind.Object && labels.TryGetProperty(label, out var value)
            ? value.GetString()
            : null;
    }
}

/// <summary>A manifest as the registry answered it: its digest header, content type and bytes.</summary>
internal sealed record RawManifest(string Digest, string MediaType, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}
