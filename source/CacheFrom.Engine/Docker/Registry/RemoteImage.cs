namespace CacheFrom.Docker.Registry;

/// <summary>A tag that exists in its registry (distribution inspect: manifest descriptor).</summary>
internal sealed record RemoteImage(string Reference, string Digest, long Size);
