using CacheFrom.Configuration;

namespace CacheFrom.Distribution;

/// <summary>
/// One HTTP exchange with a registry, described so it can be sent again: after a 401 with
/// credentials, and on a retry (the content is made afresh for each send).
/// </summary>
internal sealed record RegistryRequest
{
    public required HttpMethod Method { get; init; }

    public required RegistryRepository Repository { get; init; }

    public required Uri Uri { get; init; }

    public required RegistryAccess Access { get; init; }

    public RegistryCredentials? Credentials { get; init; }

    /// <summary>What it does, for messages, as it reads after "the": <c>manifest read of 127.0.0.1:5000/app:main</c>.</summary>
    public required string Description { get; init; }

    public IReadOnlyList<string> Accept { get; init; } = [];

    public Func<HttpContent>? Content { get; init; }

    public string Registry => Repository.Registry;

    /// <summary>The token scope this request needs.</summary>
    public string Scope => $"repository:{Repository.Path}:{Access.Actions()}";

    /// <summary>A request to <c>/v2/NAME/RELATIVE</c>, e.g. <c>manifests/main</c> or <c>blobs/uploads/</c>.</summary>
    public static RegistryRequest To(HttpMethod method, RegistryRepository repository, string relative, RegistryAccess access,
        RegistryCredentials? credentials, string description) => new()
        {
            Method = method,
            Repository = repository,
            Uri = new Uri(RegistryEndpoint.BaseUri(repository.Registry), $"v2/{repository.Path}/{relative}"),
            Access = access,
            Credentials = credentials,
            Description = description,
        };

    /// <summary>The same request to another URL the registry gave (an upload's Location, a tag page's Link), relative ones resolved against this one.</summary>
    public RegistryRequest At(HttpMethod method, string location, Func<HttpContent>? content = null) => this with
    {
        Method = method,
        Uri = new Uri(Uri, location),
        Content = content,
    };
}
