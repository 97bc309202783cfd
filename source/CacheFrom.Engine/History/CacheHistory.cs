using System.Text.Json;
using System.Text.Json.Serialization;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;

namespace CacheFrom.History;

/// <summary>
/// Cold durations of instructions, keyed by <see cref="InstructionKey"/> (stage + instruction
/// text). It travels with the cache (<see cref="CacheHistoryStore"/>) so that a fresh runner that
/// hits the cache still knows what those instructions cost when they last ran cold.
/// Immutable: <see cref="Merge"/> returns a new history.
/// </summary>
internal sealed class CacheHistory
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>Enough for hundreds of Dockerfiles; stale entries of edited instructions go first.</summary>
    public const int MaxEntries = 2000;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // It travels with every run's cache: no indentation, no needless escapes (it is never embedded in HTML).
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Fingerprint records kept per stage: the stage images of this tag and its fallbacks, a few runs back.</summary>
    public const int MaxFingerprintsPerStage = 6;

    /// <summary>Fingerprint records kept in all.</summary>
    public const int MaxFingerprints = 48;

    /// <summary>Transfer measurements kept in all, newest first: enough for a throughput per source, small enough to travel.</summary>
    public const int MaxTransfers = 12;

    private readonly Dictionary<InstructionKey, CacheHistoryEntry> _entries;
    private readonly List<StageFingerprint> _fingerprints;
    private readonly List<TransferSample> _transfers;

    public CacheHistory(IEnumerable<CacheHistoryEntry> entries, IEnumerable<StageFingerprint>? fingerprints = null, IEnumerable<TransferSample>? transfers = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [];
        foreach (var entry in entries)
            _entries[entry.Key] = entry;
        _fingerprints = [.. fingerprints ?? []];
        _transfers = [.. transfers ?? []];
    }

    public static CacheHistory Empty { get; } = new([]);

    /// <summary>
    /// True for a history returned by <see cref="Merge"/> when the run measured something (built
    /// an instruction). A run that only hit the cache adds nothing worth pushing again.
    /// </summary>
    public bool HasNewMeasurements { get; private init; }

    public int Count => _entries.Count;

    public IReadOnlyCollection<CacheHistoryEntry> Entries => _entries.Values;

    /// <summary>
    /// What stage images were built from: per stage and fingerprint, every instruction's fingerprint
    /// and inputs summary (short hashes only), so a later run can say why it missed. Newest first.
    /// </summary>
    public IReadOnlyCollection<StageFingerprint> Fingerprints => _fingerprints;

    /// <summary>Cache transfers earlier runs measured (pulls, loads, pushes, saves), newest first: the fetch prediction's throughput.</summary>
    public IReadOnlyList<TransferSample> Transfers => _transfers;

    public TimeSpan? ColdDuration(InstructionKey key) =>
        _entries.TryGetValue(key, out var entry) ? TimeSpan.FromSeconds(entry.ColdSeconds) : null;

    /// <summary>
    /// Fills <see cref="InstructionRecord.ColdDuration"/> of every cached instruction history
    /// knows. Call it with the history read BEFORE this run's merge, after the builds.
    /// </summary>
    public void Apply(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var (key, instruction) in RunInstructions.Keyed(record.Instructions))
        {
            if (instruction.Cached && ColdDuration(key) is { } cold)
                instruction.ColdDuration = cold;
        }
    }

    /// <summary>
    /// This history plus the run: every instruction the run built (ran cold) records its
    /// duration, the newest measurement replacing the old (cold times drift with machines and
    /// dependencies; the newest is the best guess); instructions the run hit keep their cold
    /// duration and are marked used. The least recently used entries beyond <see cref="MaxEntries"/> are dropped.
    /// </summary>
    public CacheHistory Merge(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var merged = new Dictionary<InstructionKey, CacheHistoryEntry>(_entries);
        var now = record.StartedAt;
        var measured = false;
        foreach (var instruction in RunInstructions.Effective(record))
        {
            var key = instruction.Key;
            merged.TryGetValue(key, out var old);
            if (!instruction.Record.Cached)
            {
                measured = true;
                merged[key] = new CacheHistoryEntry(
                    key.Stage, key.Text, key.Occurrence, Math.Round(instruction.Record.Duration.TotalSeconds, 3), now, now, (old?.Observations ?? 0) + 1);
            }
            else if (old is not null)
            {
                merged[key] = new CacheHistoryEntry(old.Stage, old.Instruction, old.Occurrence, old.ColdSeconds, old.ObservedAt, Later(old.UsedAt, now), old.Observations);
            }
        }

        var (fingerprints, learned) = MergeFingerprints(record, now);
        var transfers = record.Transfers
            .Select(t => new TransferSample(t.Source, t.Fetch, t.Bytes, Math.Round(t.Duration.TotalSeconds, 3), now))
            .Concat(_transfers.Where(t => t.At != now)) // a run's own samples are replaced, not doubled, when it merges twice
            .OrderByDescending(t => t.At)
            .Take(MaxTransfers);
        return new CacheHistory(
            merged.Values
                .OrderByDescending(e => e.UsedAt)
                .Take(MaxEntries)
                .OrderBy(e => e.Stage, StringComparer.Ordinal)
                .ThenBy(e => e.Instruction, StringComparer.Ordinal)
                .ThenBy(e => e.Occurrence),
            fingerprints,
            transfers)
        {
            HasNewMeasurements = measured || learned,
        };
    }

    /// <summary>
    /// The run's known stage fingerprints go first (one record per stage and fingerprint; a stage
    /// that matched an older record makes it the newest), then the older ones, bounded per stage
    /// and in all. Learned: the run recorded a fingerprint the history did not have.
    /// </summary>
    private (List<StageFingerprint> Fingerprints, bool Learned) MergeFingerprints(RunRecord record, DateTimeOffset now)
    {
        var result = new List<StageFingerprint>();
        var learned = false;
        foreach (var stage in record.Fingerprints.Where(s => s.Fingerprint is not null))
        {
            learned |= !_fingerprints.Any(f => f.Stage == stage.Stage && f.Fingerprint == stage.Fingerprint);
            result.Add(stage.ForHistory(now));
        }

        foreach (var old in _fingerprints.OrderByDescending(f => f.RecordedAt))
        {
            if (result.Any(f => f.Stage == old.Stage && f.Fingerprint == old.Fingerprint))
                continue;
            if (result.Count(f => f.Stage == old.Stage) >= MaxFingerprintsPerStage || result.Count >= MaxFingerprints)
                continue;
            result.Add(old);
        }

        return (result, learned);
    }

    /// <summary>The record of what the stage image carrying <paramref name="fingerprint"/> was built from, or null.</summary>
    public StageFingerprint? Find(string stage, string fingerprint) =>
        _fingerprints.FirstOrDefault(f => f.Fingerprint == fingerprint && string.Equals(f.Stage, stage, StringComparison.OrdinalIgnoreCase));

    public string ToJson() =>
        JsonSerializer.Serialize(
            new HistoryDocument(CurrentSchemaVersion, [.. Entries], _fingerprints.Count == 0 ? null : [.. _fingerprints], _transfers.Count == 0 ? null : [.. _transfers]),
            JsonOptions);

    /// <summary>Reads a history document; throws <see cref="JsonException"/> (or <see cref="InvalidDataException"/> for a newer schema).</summary>
    public static CacheHistory FromJson(string json)
    {
        var document = JsonSerializer.Deserialize<HistoryDocument>(json, JsonOptions)
            ?? throw new JsonException("the history document is empty");
        if (document.SchemaVersion != CurrentSchemaVersion)
            throw new InvalidDataException($"history schema version {document.SchemaVersion} is not {CurrentSchemaVersion}");
        return new CacheHistory(
            document.Entries.Where(e => e is { Stage: not null, Instruction: not null } && e.ColdSeconds >= 0),
            (document.Fingerprints ?? []).Where(f => f is { Stage: not null, Fingerprint: not null, Instructions: not null }),
            (document.Transfers ?? []).Where(t => t is { Source: not null, Bytes: > 0, Seconds: > 0 }));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // Fingerprints and transfers were added within schema version 1: earlier readers ignore the fields, and read the rest as before.
    private sealed record HistoryDocument(
        [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
        [property: JsonPropertyName("entries")] List<CacheHistoryEntry> Entries,
        [property: JsonPropertyName("fingerprints"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<StageFingerprint>? Fingerprints,
        [property: JsonPropertyName("transfers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<TransferSample>? Transfers = null);
}
