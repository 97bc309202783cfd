namespace CacheFrom.Fingerprints;

/// <summary>
/// What an image a Dockerfile names (a base, a <c>COPY --from</c>, a mount's <c>from</c>) is this
/// run: a digest, and where it came from (<c>local</c>: the engine's image, by the digest it was
/// pulled as or else its id; <c>registry</c>: the tag's manifest digest, read without pulling).
/// <see cref="Digest"/> is null when it could not be told, with <see cref="Problem"/> saying why.
/// </summary>
internal sealed record ImageIdentity(string Name, string? Digest, string Source, string? Problem)
{
    public const string Local = "local";
    public const string Registry = "registry";

    public static ImageIdentity Resolved(string name, string digest, string source) => new(name, digest, source, null);

    public static ImageIdentity Unresolved(string name, string problem) => new(name, null, "none", problem);
}
