using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Fingerprints;

/// <summary>
/// Gives every built instruction of the record its reason (<see cref="InstructionRecord.Miss"/>),
/// from the comparison ResolveCache made: the builder's step is matched to the Dockerfile
/// instruction by its text (as written, or with ARG and ENV values in, as BuildKit names steps).
/// </summary>
internal static class MissExplanations
{
    public static void Apply(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var build in record.Instructions.GroupBy(i => (i.BuiltIn, i.Stage)))
        {
            var stage = record.Fingerprints.FirstOrDefault(s => Same(s.Stage, build.Key.Stage));
            var stageRecord = record.Stages.FirstOrDefault(s => Same(s.Name, build.Key.Stage));
            var used = new HashSet<int>();
            foreach (var instruction in build)
            {
                var match = stage is null ? null : Match(stage, instruction, used);
                if (instruction.Cached || !RunInstructions.Counts(instruction))
                    continue;
                instruction.Miss = Explain(record, build.Key.Stage, stageRecord, match);
            }
        }
    }

    private static MissExplanation? Explain(RunRecord record, string stage, StageRecord? stageRecord, InstructionFingerprint? match)
    {
        if (record.Cache == CacheMode.None)
            return MissExplanation.Simple(MissKind.NoCache, "no cache: docker-cache is none");
        if (stageRecord is null)
            return MissExplanation.Simple(MissKind.NoCache, $"stage {stage} has no cache image of its own (only named stages the final image uses get one)");
        if (stageRecord.Winner is null && record.FetchDecisions.FirstOrDefault(d => !d.Fetch && (d.Stage is null || Same(d.Stage, stage))) is { } cold)
            return MissExplanation.Simple(MissKind.NotFetched, $"built cold: {cold.Reference} was not fetched ({cold.Reason})");
        if (!stageRecord.Compared)
            return stageRecord.Winner is null ? MissExplanation.Simple(MissKind.NoCache, $"no cache image existed for stage {stage}") : null;
        if (match is null)
            return stageRecord.Change;
        if (match.Change is { } change)
            return change;
        return stageRecord.WinnerLeftOut?.Contains(match.Index) == true
            ? MissExplanation.Simple(
                MissKind.CacheMetadataIncomplete,
                $"inputs unchanged, but the inline cache metadata of {stageRecord.Winner} leaves this step's layer out (the engine that built it wrote the metadata incompletely): BuildKit had nothing of it to reuse")
            : MissExplanation.Simple(
                MissKind.InputsUnchanged,
                $"inputs unchanged since {stageRecord.Winner} was built, yet the builder ran it: it did not get that cache (not fetched, or not usable by this builder)");
    }

    /// <summary>The stage's next unmatched instruction with the step's text: FROM is the first; others as written or as BuildKit names them.</summary>
    private static InstructionFingerprint? Match(StageFingerprint stage, InstructionRecord instruction, HashSet<int> used)
    {
        var text = InstructionKey.Normalise(instruction.Text);
        var from = text.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase);
        foreach (var candidate in stage.Instructions)
        {
            if (used.Contains(candidate.Index))
                continue;
            var matches = from
                ? candidate.Index == 0
                : candidate.Index > 0 && (candidate.Text == text || candidate.StepName == text);
            if (!matches)
                continue;
            used.Add(candidate.Index);
            return candidate;
        }

        return null;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
