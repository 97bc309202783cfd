using System.Text.Json.Serialization;
using CacheFrom.Configuration;
using CacheFrom.Fingerprints;
using CacheFrom.Reporting;

namespace CacheFrom.Recording;

/// <summary>
/// Everything one run measured and decided. It is also the state the steps hand to each other,
/// persisted after every step, so a host may run the steps as separate targets.
/// </summary>
public sealed class RunRecord
{
    public const int CurrentSchemaVersion = 1;

    [JsonInclude]
    public int SchemaVersion { get; internal set; } = CurrentSchemaVersion;

    [JsonInclude]
    public string RunId { get; internal set; } = Guid.NewGuid().ToString("N");

    [JsonInclude]
    public DateTimeOffset StartedAt { get; internal set; }

    [JsonInclude]
    public string Image { get; internal set; } = "";

    [JsonInclude]
    public string Tag { get; internal set; } = "";

    [JsonInclude]
    public BuilderKind Builder { get; internal set; }

    [JsonInclude]
    public CacheMode Cache { get; internal set; }

    [JsonInclude]
    public bool Push { get; internal set; }

    [JsonInclude]
    public List<StepRecord> Steps { get; internal set; } = [];

    [JsonInclude]
    public List<StageRecord> Stages { get; internal set; } = [];

    [JsonInclude]
    public List<InstructionRecord> Instructions { get; internal set; } = [];

    /// <summary>The cache history that came with the cache (read by ResolveCache): cold durations of earlier runs.</summary>
    [JsonInclude]
    internal List<CacheHistoryEntry> History { get; set; } = [];

    /// <summary>The stage fingerprints that came with the cache history (what earlier runs' stage images were built from).</summary>
    [JsonInclude]
    internal List<StageFingerprint> HistoryFingerprints { get; set; } = [];

    /// <summary>The transfer measurements that came with the cache history (the fetch prediction's throughput).</summary>
    [JsonInclude]
    internal List<TransferSample> HistoryTransfers { get; set; } = [];

    /// <summary>This run's fingerprints of every stage the final image needs, each instruction compared with its winner's record.</summary>
    [JsonInclude]
    internal List<StageFingerprint> Fingerprints { get; set; } = [];

    /// <summary>The preflight lint's findings; null until the run's first step records them.</summary>
    [JsonInclude]
    public LintRecord? Lint { get; internal set; }

    /// <summary>The tarball this run serves to BuildKit as a registry, when the engine reads cache only from registries; null otherwise.</summary>
    [JsonInclude]
    internal ServedTarball? ServedTarball { get; set; }

    /// <summary>Transfers of cache images this run measured (pulls, loads, pushes, saves): the history keeps them for the fetch prediction.</summary>
    [JsonInclude]
    public List<TransferRecord> Transfers { get; internal set; } = [];

    /// <summary>What was predicted before each cache fetch and decided (<c>docker-cache-fetch</c>).</summary>
    [JsonInclude]
    public List<FetchDecisionRecord> FetchDecisions { get; internal set; } = [];

    /// <summary>Tarballs set aside because they could not be loaded.</summary>
    [JsonInclude]
    public List<string> QuarantinedTarballs { get; internal set; } = [];
}
