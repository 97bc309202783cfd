namespace CacheFrom.Docker.Build;

/// <summary>A BuildKit vertex as one status message saw it; later messages repeat it with more fields set.</summary>
internal sealed record BuildKitVertex(string Digest, string Name, bool Cached, DateTimeOffset? Started, DateTimeOffset? Completed, string? Error);
