using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>
/// One measured transfer of cache images: a classic pull, a tarball load or save, an image push.
/// The history keeps the newest of them so a later run can predict what fetching will cost.
/// </summary>
public sealed class TransferRecord
{
    /// <summary>The cache travels through the registry.</summary>
    public const string Registry = "registry";

    /// <summary>The cache travels as a tarball in the store.</summary>
    public const string Tarball = "tarball";

    [JsonConstructor]
    public TransferRecord(string source, bool fetch, long bytes, TimeSpan duration)
    {
        Source = source;
        Fetch = fetch;
        Bytes = bytes;
        Duration = duration;
    }

    /// <summary><see cref="Registry"/> or <see cref="Tarball"/>.</summary>
    public string Source { get; }

    /// <summary>True for a fetch (pull, load), false for a store (push, save).</summary>
    public bool Fetch { get; }

    public long Bytes { get; }

    public TimeSpan Duration { get; }
}
