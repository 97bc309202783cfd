using System.Net;
using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Resilience;

namespace CacheFrom.Distribution;

/// <summary>
/// <c>GET /v2/NAME/tags/list</c>, page by page: each answer's <c>Link: &lt;…&gt;; rel="next"</c>
/// names the next page (RFC 5988), until an answer has none. Each page is one retried request.
/// </summary>
internal sealed class TagOperations(RegistryTransport transport)
{
    /// <summary>Tags asked for per page; a registry may send fewer.</summary>
    public const int PageSize = 1000;

    /// <summary>A registry whose links go round in circles stops here (a million tags).</summary>
    private const int MaxPages = 1000;

    private const int MaxPageBytes = 16 * 1024 * 1024;

    /// <summary>Every tag of the repository, in the registry's order; empty when the repository does not exist.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(RegistryRepository repository, RegistryCredentials? credentials, CancellationToken cancellationToken = default)
    {
        var description = $"tag list of {repository}";
        var request = RegistryRequest.To(HttpMethod.Get, repository, $"tags/list?n={PageSize}", RegistryAccess.Pull, credentials, description);
        var tags = new List<string>();
        for (var page = 0; page < MaxPages; page++)
        {
            var current = request;
            var (pageTags, next) = await transport.RunAsync(description, repository, AttemptLimit.Timeout, async (_, token) =>
            {
                using var response = await transport.SendAsync(current, token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    return ([], null);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw RegistryFailures.FromResponse(current, response.StatusCode, await RegistryTransport.ReadErrorAsync(current, response, token).ConfigureAwait(false));
                var body = await RegistryTransport.ReadBoundedAsync(current, response, MaxPageBytes, heartbeat: null, token).ConfigureAwait(false);
                return (ReadTags(current, body), response.Headers.TryGetValues("Link", out var links) ? LinkHeader.Next(links) : null);
            }, cancellationToken).ConfigureAwait(false);
            tags.AddRange(pageTags);
            if (next is null)
                return tags;
            request = request.At(HttpMethod.Get, next);
        }

        throw RegistryFailures.Invalid(request, $"its tag list did not end after {MaxPages} pages", transient: false);
    }

    private static List<string> ReadTags(RegistryRequest request, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            // A repository without tags may answer "tags": null.
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList()
                : [];
        }
        catch (JsonException exception)
        {
            throw RegistryFailures.Invalid(request, "its tag list is not JSON", transient: false, exception);
        }
    }
}
