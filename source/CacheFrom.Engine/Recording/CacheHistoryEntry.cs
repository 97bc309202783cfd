using System.Text.Json.Serialization;
namespace CacheFrom.Recording;

/// <summary>
/// What history knows about one instruction: how long it took the last time it ran cold. The run
/// record carries these (it is what the history is merged from and written back with), so the type
/// lives with the record and History depends on Recording, not both ways.
/// </summary>
internal sealed class CacheHistoryEntry
{
    [JsonConstructor]
    public CacheHistoryEntry(string stage, string instruction, int occurrence, double coldSeconds, DateTimeOffset observedAt, DateTimeOffset usedAt, int observations)
    {
        Stage = stage;
        Instruction = instruction;
        Occurrence = occurrence;
        ColdSeconds = coldSeconds;
        ObservedAt = observedAt;
        UsedAt = usedAt;
        Observations = observations;
    }

    public string Stage { get; }

    /// <summary>The instruction text, whitespace collapsed.</summary>
    public string Instruction { get; }

    /// <summary>1, or the n-th time the same text appears in the stage.</summary>
    public int Occurrence { get; }

    /// <summary>The newest cold (built, not cached) duration, in seconds.</summary>
    public double ColdSeconds { get; }

    /// <summary>When <see cref="ColdSeconds"/> was measured (the run's start).</summary>
    public DateTimeOffset ObservedAt { get; }

    /// <summary>The last run that built or hit the instruction; the least recently used entries are dropped first.</summary>
    public DateTimeOffset UsedAt { get; }

    /// <summary>How many cold runs measured it.</summary>
    public int Observations { get; }

    [JsonIgnore]
    public InstructionKey Key => new(Stage, Instruction, Occurrence);
}
