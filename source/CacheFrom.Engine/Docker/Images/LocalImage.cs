namespace CacheFrom.Docker.Images;

/// <summary>An image the engine holds: its id, the digests it was pulled as (<c>repo@sha256:…</c>) and its labels.</summary>
internal sealed record LocalImage(string Id, IReadOnlyList<string> RepoDigests, IReadOnlyDictionary<string, string> Labels);
