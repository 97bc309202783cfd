using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>One transfer an earlier run measured (<see cref="TransferRecord"/>), as the history keeps it: seconds, when.</summary>
internal sealed class TransferSample
{
    [JsonConstructor]
    public TransferSample(string source, bool fetch, long bytes, double seconds, DateTimeOffset at)
    {
        Source = source;
        Fetch = fetch;
        Bytes = bytes;
        Seconds = seconds;
        At = at;
    }

    /// <summary><see cref="TransferRecord.Registry"/> or <see cref="TransferRecord.Tarball"/>.</summary>
    public string Source { get; }

    /// <summary>A fetch (pull, load); else a store (push, save).</summary>
    public bool Fetch { get; }

    public long Bytes { get; }

    public double Seconds { get; }

    /// <summary>The measuring run's start.</summary>
    public DateTimeOffset At { get; }
}
