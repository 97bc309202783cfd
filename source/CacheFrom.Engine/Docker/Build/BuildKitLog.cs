namespace CacheFrom.Docker.Build;

/// <summary>Output a vertex wrote (a RUN step's stdout/stderr), possibly several lines.</summary>
internal sealed record BuildKitLog(string VertexDigest, string Message);
