using System.Text;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>The plain-text table the log gets once per run (pre-rendered: one template property, fixed-width columns).</summary>
internal static class SummaryTable
{
    private static readonly string[] StepHeader = ["Step", "Outcome", "Duration", "Pulled", "Pushed", "Loaded", "Saved"];
    private static readonly string[] StageHeader = ["Stage", "Cached", "Built", "Winning candidate", "Note"];
    private static readonly bool[] StepAlignment = [false, false, true, true, true, true, true];
    private static readonly bool[] StageAlignment = [false, true, true, false, false];

    public static string Render(RunRecord record, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(summary);
        var rows = new List<string[]> { StepHeader };
        rows.AddRange(record.Steps.Select(s => new[]
        {
            s.Step.ToString(), s.Outcome.ToString(), ReportFormat.Seconds(s.Duration), ReportFormat.Bytes(s.BytesPulled),
            ReportFormat.Bytes(s.BytesPushed), ReportFormat.Bytes(s.BytesLoaded), ReportFormat.Bytes(s.BytesSaved),
        }));
        var text = new StringBuilder();
        Table(text, rows, StepAlignment);
        text.Append('\n');

        var stages = new List<string[]> { StageHeader };
        stages.AddRange(summary.Stages.Select(s => new[]
        {
            s.IsFinal && s.Name != "final" ? s.Name + " (final)" : s.Name, s.CachedInstructions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.BuiltInstructions.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Winner ?? "none (cold)", s.SkipNote ?? "",
        }));
        Table(text, stages, StageAlignment);
        text.Append('\n');

        text.Append("Fetch ").Append(ReportFormat.Seconds(summary.FetchTime))
            .Append(" | Store ").Append(ReportFormat.Seconds(summary.StoreTime))
            .Append(" | Build ").Append(ReportFormat.Seconds(summary.BuildTime))
            .Append(" | Saved ").Append(summary.SavedText())
            .Append(" | Net ").Append(summary.Net is { } net ? ReportFormat.SignedSeconds(net) : "unknown");
        if (summary.FetchDecisions.Count > 0)
        {
            text.Append("\nFetch predicted ").Append(summary.PredictedFetchTime is { } f ? ReportFormat.Seconds(f) : "unknown")
                .Append(" (actual ").Append(ReportFormat.Seconds(summary.FetchTime)).Append(") | Saving predicted ")
                .Append(summary.PredictedTimeSaved is { } p ? ReportFormat.Seconds(p) : "unknown").Append(" (actual ").Append(summary.SavedText()).Append(')');
            if (summary.NotFetched > 0)
            {
                text.Append(" | Not fetched ").Append(summary.NotFetched).Append(" (≈ ")
                    .Append(summary.FetchAvoided is { } a ? ReportFormat.Seconds(a) : "unknown").Append(" of fetching avoided)");
            }
            foreach (var line in FetchCostLine.Of(record))
                text.Append("\nFetch cost, ").Append(line);
        }
        foreach (var miss in MissLine.Of(record))
            text.Append("\nBuilt ").Append(miss.Stage).Append(": ").Append(miss.Instruction).Append(" — ").Append(miss.Reason).Append(miss.Later);

        if (record.Lint is { Findings.Count: > 0 } lint)
        {
            // The warnings came at the start of the run; the summary points back at them where people look.
            text.Append("\nLint: ").Append(lint.Findings.Count).Append(lint.Findings.Count == 1 ? " finding: " : " findings: ")
                .AppendJoin(", ", lint.Findings.Select(f => $"{f.Path}:{f.Line} {f.Rule}"));
        }

        return text.ToString();
    }

    private static void Table(StringBuilder text, List<string[]> rows, bool[] rightAligned)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                // Text columns left, figures right, as a reader scans them.
                var cell = rightAligned[c] ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]);
                text.Append(cell);
                if (c < row.Length - 1)
                    text.Append("  ");
            }

            // Padding of the last column would only leave trailing blanks in the log.
            while (text.Length > 0 && text[^1] == ' ')
                text.Length--;
            text.Append('\n');
        }
    }
}
