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
}
