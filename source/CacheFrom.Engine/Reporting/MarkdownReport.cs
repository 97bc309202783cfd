using System.Text;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary><c>cachefrom-report.md</c>, also what goes to <c>$GITHUB_STEP_SUMMARY</c>: the verdict, the sum, then steps, stages and instructions.</summary>
internal static class MarkdownReport
{
    public static string Render(RunRecord record, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(summary);
        var md = new StringBuilder();
        Line(md, $"## CacheFrom: {Cell(record.Image)}:{Cell(record.Tag)}");
        Line(md);
        Line(md, $"**{Cell(summary.Verdict)}**");
        Line(md);
        Line(md, "| The sum | |");
        Line(md, "|---|---:|");
        Line(md, $"| Fetching cache (load, resolve, pull) | {ReportFormat.Seconds(summary.FetchTime)} |");
        Line(md, $"| Storing cache (push, save) | {ReportFormat.Seconds(summary.StoreTime)} |");
        Line(md, $"| Building | {ReportFormat.Seconds(summary.BuildTime)} |");
        Line(md, $"| Time the cache saved | {Cell(summary.SavedText())} |");
        Line(md, $"| Net (saved − fetch − store) | {(summary.Net is { } net ? ReportFormat.SignedSeconds(net) : "unknown")} |");
        if (summary.FetchDecisions.Count > 0)
        {
            Line(md, $"| Fetching predicted (actual above) | {(summary.PredictedFetchTime is { } f ? ReportFormat.Seconds(f) : "unknown")} |");
            Line(md, $"| Saving predicted (actual above) | {(summary.PredictedTimeSaved is { } p ? ReportFormat.Seconds(p) : "unknown")} |");
            if (summary.NotFetched > 0)
                Line(md, $"| Caches not fetched (predicted fetch avoided) | {summary.NotFetched} ({(summary.FetchAvoided is { } a ? ReportFormat.Seconds(a) : "unknown")}) |");
        }

        Line(md, $"| Instructions cached / built | {summary.CachedInstructions} / {summary.BuiltInstructions} |");
        Line(md, $"| Pulled / pushed / loaded / saved | {ReportFormat.Bytes(summary.BytesPulled)} / {ReportFormat.Bytes(summary.BytesPushed)} / {ReportFormat.Bytes(summary.BytesLoaded)} / {ReportFormat.Bytes(summary.BytesSaved)} |");
        Line(md);

        if (record.Lint is { Findings.Count: > 0 } lint)
        {
            Line(md, $"| Dockerfile lint: {lint.Findings.Count} finding{(lint.Findings.Count == 1 ? "" : "s")} | Rule | Problem | Fix |");
            Line(md, "|---|---|---|---|");
            foreach (var f in lint.Findings)
                Line(md, $"| `{Cell(f.Path)}:{f.Line}` | {Cell(f.Rule)} | {Cell(f.Message)} | {Cell(f.Fix)} |");
            Line(md);
        }

        var fetchLines = FetchCostLine.Of(record);
        if (fetchLines.Count > 0)
        {
            Line(md, "| Fetch cost: for | Cache | Decision | Bytes | Throughput | Fetch (predicted) | Saving (predicted) | What happened | Why |");
            Line(md, "|---|---|---|---:|---:|---:|---:|---|---|");
            foreach (var f in fetchLines)
            {
                Line(md, $"| {Cell(f.Scope)} | `{Cell(f.Decision.Reference)}` | {f.Outcome} | {f.Bytes} | {Cell(f.Throughput)} | {f.PredictedFetch} | {Cell(f.PredictedSaving)} | "
                    + $"{Cell(f.Happened)} | {Cell(f.Decision.Reason)} |");
            }

            Line(md);
        }

        Line(md, "| Step | Outcome | Duration | Pulled | Pushed | Loaded | Saved | Note |");
        Line(md, "|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var step in record.Steps)
        {
            Line(md, $"| {step.Step} | {step.Outcome} | {ReportFormat.Seconds(step.Duration)} | {ReportFormat.Bytes(step.BytesPulled)} | "
                + $"{ReportFormat.Bytes(step.BytesPushed)} | {ReportFormat.Bytes(step.BytesLoaded)} | {ReportFormat.Bytes(step.BytesSaved)} | {Cell(step.Message)} |");
        }

        Line(md);
        Line(md, "| Stage | Cached | Built | Winning candidate | Note |");
        Line(md, "|---|---:|---:|---|---|");
        foreach (var stage in summary.Stages)
        {
            Line(md, $"| {Cell(stage.Name)}{(stage.IsFinal && stage.Name != "final" ? " (final)" : "")} | {stage.CachedInstructions} | {stage.BuiltInstructions} | "
                + $"{(stage.Winner is null ? "none (cold)" : "`" + Cell(stage.Winner) + "`")} | {Cell(stage.SkipNote)} |");
        }

        var misses = MissLine.Of(record);
        if (misses.Count > 0)
        {
            Line(md);
            Line(md, "| Why it built: stage | Instruction | Why |");
            Line(md, "|---|---|---|");
            foreach (var miss in misses)
                Line(md, $"| {Cell(miss.Stage)} | `{Cell(miss.Instruction)}` | {Cell(miss.Reason + miss.Later)} |");
        }

        if (record.Instructions.Count > 0)
        {
            Line(md);
            Line(md, "<details><summary>Instructions</summary>");
            Line(md);
            Line(md, "| Build | Stage | Instruction | Cached | Duration | Cold duration | Why built |");
            Line(md, "|---|---|---|---|---:|---:|---|");
            foreach (var i in record.Instructions)
            {
                var cold = i.ColdDuration is { } c ? ReportFormat.Seconds(c) : "";
                Line(md, $"| {i.BuiltIn} | {Cell(i.Stage)} | `{Cell(i.Text)}` | {(i.Skipped ? "skipped" : i.Cached ? "yes" : "no")} | {ReportFormat.Seconds(i.Duration)} | {cold} | {Cell(i.Miss?.Summary)} |");
            }

            Line(md);
            Line(md, "</details>");
        }

        return md.ToString();
    }

    /// <summary>A table cell: one line, pipes escaped, backticks softened so code spans stay closed.</summary>
    private static string Cell(string? text) =>
        text is null ? "" : text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal).Replace('`', '\'');

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
