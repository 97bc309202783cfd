using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Recording;

namespace CacheFrom.FetchCost;

/// <summary>
/// The instructions a fetched cache is predicted to serve. For a stage compared with its winner's
/// record: its instructions up to the first that changed (the builder's chain breaks there). For a
/// stage that could not be compared: all of them (the saving is then an upper bound, which leans
/// towards fetching).
/// </summary>
internal static class PredictedHits
{
    /// <summary>The stage's instructions (FROM excluded) predicted to hit, in order.</summary>
    public static IReadOnlyList<InstructionFingerprint> Of(StageFingerprint stage, StageRecord record)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(record);
        var steps = stage.Instructions.Where(i => i.Index > 0).OrderBy(i => i.Index);
        var comparable = record.Compared && record.Change?.Kind is not (MissKind.NoCache or MissKind.NoHistory or MissKind.Unknowable);
        return comparable ? steps.TakeWhile(i => i.Change is null).ToList() : steps.ToList();
    }

    /// <summary>
    /// Their identities in history: the text as written and as BuildKit names the step (ARG and ENV
    /// values in), each with its occurrence in the stage, since history keys what the builder printed.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<InstructionKey>> Keys(StageFingerprint stage, IEnumerable<InstructionFingerprint> hits)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(hits);
        var wanted = hits.Select(h => h.Index).ToHashSet();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<InstructionKey>>();
        foreach (var instruction in stage.Instructions.Where(i => i.Index > 0).OrderBy(i => i.Index))
        {
            var keys = new List<InstructionKey>();
            foreach (var text in new[] { instruction.Text, instruction.StepName }.OfType<string>().Select(InstructionKey.Normalise).Distinct(StringComparer.Ordinal))
            {
                var occurrence = seen.GetValueOrDefault(text) + 1;
                seen[text] = occurrence;
                keys.Add(new InstructionKey(stage.Stage, text, occurrence));
            }

            if (wanted.Contains(instruction.Index))
                result.Add(keys);
        }

        return result;
    }

    /// <summary>
    /// For a tarball, which holds every stage as the run that saved it built them: the instructions
    /// that run built or hit (history marks them used at its start), each by its one key.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<InstructionKey>> LastSaved(CacheHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
            return [];
        var newest = history.Entries.Max(e => e.UsedAt);
        return history.Entries.Where(e => e.UsedAt == newest).Select(e => (IReadOnlyList<InstructionKey>)[e.Key]).ToList();
    }
}
