using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>One line of "why it built": a built instruction and its reason; the steps after it that missed only because of it are counted, not repeated.</summary>
internal sealed record MissLine(string Stage, string Instruction, MissExplanation? Miss, int LaterSteps)
{
    public string Reason => Miss?.Summary ?? "unknown (no fingerprints were compared)";

    public string Later => LaterSteps == 0 ? "" : LaterSteps == 1 ? " (and the step after it)" : $" (and the {LaterSteps} steps after it)";

    /// <summary>The run's built instructions (counted once, as the sum counts them), in order.</summary>
    public static IReadOnlyList<MissLine> Of(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var lines = new List<MissLine>();
        foreach (var built in RunInstructions.Effective(record).Select(e => e.Record).Where(i => !i.Cached))
        {
            var last = lines.Count > 0 ? lines[^1] : null;
            if (last is not null && last.Stage == built.Stage && Follows(last, built.Miss))
            {
                lines[^1] = last with { LaterSteps = last.LaterSteps + 1 };
                continue;
            }

            lines.Add(new MissLine(built.Stage, built.Text, built.Miss, 0));
        }

        return lines;
    }

    // A step that missed because an earlier one did, or for the same stage-wide reason (no cache, a moved base).
    private static bool Follows(MissLine last, MissExplanation? miss) =>
        miss is not null && last.Miss is not null
        && (miss.Kind == MissKind.EarlierStepMissed || (miss.Kind is MissKind.NoCache or MissKind.NoHistory or MissKind.BaseImageMoved or MissKind.BuilderChanged or MissKind.Unknowable && miss.Summary == last.Miss.Summary)
            || (miss.Kind == MissKind.Unknowable && miss.Summary.Contains("an earlier step's inputs", StringComparison.Ordinal)));
}
