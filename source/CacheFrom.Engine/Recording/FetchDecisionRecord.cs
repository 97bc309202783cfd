using System.Text.Json.Serialization;
using CacheFrom.Configuration;

namespace CacheFrom.Recording;

/// <summary>
/// What the run predicted before fetching a cache (one stage's registry winner, or the tarball
/// for every stage) and what it decided (docs/fetch-cost.md). A prediction a figure of which is
/// unknown (no throughput measured yet, no cold durations) always fetches.
/// </summary>
public sealed class FetchDecisionRecord
{
    [JsonConstructor]
    public FetchDecisionRecord(string? stage, string source, string reference, CacheFetchMode mode, bool fetch, string reason)
    {
        Stage = stage;
        Source = source;
        Reference = reference;
        Mode = mode;
        Fetch = fetch;
        Reason = reason;
    }

    /// <summary>The stage the cache is for; null for a tarball, which holds every stage.</summary>
    public string? Stage { get; }

    /// <summary><see cref="TransferRecord.Registry"/> or <see cref="TransferRecord.Tarball"/>.</summary>
    public string Source { get; }

    /// <summary>The winning candidate, or the tarball's path.</summary>
    public string Reference { get; }

    public CacheFetchMode Mode { get; }

    /// <summary>True: the cache was fetched; false: the stage(s) built cold.</summary>
    public bool Fetch { get; }

    /// <summary>One line with the numbers, e.g. <c>4.0 MiB at 512.0 KiB/s ≈ 8.0 s to fetch, ≈ 0.3 s saved</c>.</summary>
    public string Reason { get; }

    /// <summary>What fetching would move: for BuildKit the layers it would reuse, for a classic pull or a tarball all of them.</summary>
    [JsonInclude]
    public long? PredictedBytes { get; internal set; }

    /// <summary>Bytes per second measured on earlier runs, or null when none was.</summary>
    [JsonInclude]
    public double? Throughput { get; internal set; }

    /// <summary>How many earlier transfers <see cref="Throughput"/> comes from, and whether they were fetches (else stores, a stand-in).</summary>
    [JsonInclude]
    public int ThroughputSamples { get; internal set; }

    [JsonInclude]
    public bool ThroughputFromFetches { get; internal set; }

    [JsonInclude]
    public TimeSpan? PredictedFetch { get; internal set; }

    /// <summary>The cold durations, from history, of the instructions predicted to hit.</summary>
    [JsonInclude]
    public TimeSpan? PredictedSaving { get; internal set; }

    /// <summary>Instructions predicted to hit, and how many of them history knows a cold duration for.</summary>
    [JsonInclude]
    public int HitsPredicted { get; internal set; }

    [JsonInclude]
    public int HitsKnown { get; internal set; }
}
