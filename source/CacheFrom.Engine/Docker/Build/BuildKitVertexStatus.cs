namespace CacheFrom.Docker.Build;

/// <summary>Progress of one piece of a vertex's work, e.g. a layer a FROM step downloads (<see cref="Id"/> names it).</summary>
internal sealed record BuildKitVertexStatus(string Id, string VertexDigest, long Current, long Total);
