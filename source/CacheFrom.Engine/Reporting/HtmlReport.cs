using System.Globalization;
using System.Net;
using System.Text;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>
/// <c>cachefrom-report.html</c>: one self-contained page (inline CSS and SVG, no script, no
/// external asset, so it opens from a CI artifact offline): the verdict on top, the sum, a
/// timeline of the steps with each build's instructions nested under it, then the tables.
/// </summary>
internal static class HtmlReport
{
    private const string FetchStoreColour = "#7b61d9";
    private const string BuildColour = "#c9d2de";
    private const string BuiltColour = "#e8833a";
    private const string CachedColour = "#2f9e5c";
    private const string RepeatColour = "#a9d8bb";
    private const string ColdColour = "#2f9e5c";

    private const int LabelWidth = 300;
    private const int ChartWidth = 640;
    private const int RowHeight = 22;
    private const int AxisHeight = 28;

    private static readonly TimeSpan MinimumOutline = TimeSpan.FromSeconds(0.1);

    public static string Render(RunRecord record, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(summary);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>CacheFrom report: ").Append(E(record.Image)).Append(':').Append(E(record.Tag)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");

        html.Append("<header>\n<h1>CacheFrom: <code>").Append(E(record.Image)).Append(':').Append(E(record.Tag)).Append("</code></h1>\n")
            .Append("<p class=\"meta\">").Append(E(record.StartedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)))
            .Append(" · builder ").Append(E(record.Builder.ToString())).Append(" · cache ").Append(E(record.Cache.ToString()))
            .Append(" · push ").Append(record.Push ? "yes" : "no").Append(" · run ").Append(E(record.RunId)).Append("</p>\n")
            .Append("<p class=\"verdict ").Append(VerdictClass(summary.Outcome)).Append("\">").Append(E(summary.Verdict)).Append("</p>\n</header>\n");

        html.Append("<section class=\"cards\">\n");
        Card(html, "Fetching cache", ReportFormat.Seconds(summary.FetchTime), "load, resolve, pull");
        Card(html, "Storing cache", ReportFormat.Seconds(summary.StoreTime), "push, save");
        Card(html, "Building", ReportFormat.Seconds(summary.BuildTime), $"{summary.CachedInstructions} cached, {summary.BuiltInstructions} built");
        Card(html, "Time saved", summary.TimeSaved is { } saved ? ReportFormat.Seconds(saved) : "unknown",
            summary.TimeSaved is null ? "no history yet"
            : summary.CachedInstructions == 0 ? "nothing was cached"
            : summary.TimeSavedIsPartial ? $"at least: known for {summary.TimeSavedKnownFor} of {summary.CachedInstructions}" : "cold durations from history");
        Card(html, "Net", summary.Net is { } net ? ReportFormat.SignedSeconds(net) : "unknown", "saved − fetch − store");
        if (summary.FetchDecisions.Count > 0)
        {
            Card(html, "Fetch predicted", summary.PredictedFetchTime is { } f ? ReportFormat.Seconds(f) : "unknown",
                $"saving predicted {(summary.PredictedTimeSaved is { } p ? ReportFormat.Seconds(p) : "unknown")}; {summary.NotFetched} not fetched");
        }

        html.Append("</section>\n");

        Lint(html, record);
        FetchCost(html, record);

        html.Append("<section>\n<h2>Where the time went</h2>\n");
        Timeline(html, record);
        Legend(html);
        html.Append("</section>\n");

        Tables(html, record, summary);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Timeline(StringBuilder html, RunRecord record)
    {
        var timed = record.Steps.Where(s => s.Outcome != StepOutcome.Skipped && s.StartedAt != default).ToList();
        if (timed.Count == 0)
        {
            html.Append("<p>No step has run yet.</p>\n");
            return;
        }

        var origin = timed.Min(s => s.StartedAt);
        var span = timed.Max(s => s.StartedAt + s.Duration) - origin;
        var total = Math.Max(span.TotalSeconds, 0.001);
        var rows = new StringBuilder();
        var y = 0;
        foreach (var step in record.Steps)
        {
            var isBuild = step.Step is PipelineStep.BuildBuilderStage or PipelineStep.BuildFinalStage;
            var label = $"{step.Step} — {(step.Outcome == StepOutcome.Skipped ? "skipped" : ReportFormat.Seconds(step.Duration))}";
            Label(rows, y, label, "step", step.Message);
            if (step.Outcome != StepOutcome.Skipped && step.StartedAt != default)
            {
                var start = (step.StartedAt - origin).TotalSeconds;
                Bar(rows, X(start, total), y, W(step.Duration.TotalSeconds, total), isBuild ? BuildColour : FetchStoreColour,
                    step.Outcome == StepOutcome.Failed ? "failed" : null,
                    $"{step.Step}: {ReportFormat.Seconds(step.Duration)}, {step.Outcome}{(step.Message is null ? "" : " — " + step.Message)}");
                y += RowHeight;
                if (isBuild)
                    y = Instructions(rows, record, step, start, total, y);
            }
            else
            {
                y += RowHeight;
            }
        }

        var height = y + AxisHeight;
        html.Append("<svg class=\"timeline\" role=\"img\" aria-label=\"Timeline of the run\" viewBox=\"0 0 ")
            .Append(LabelWidth + ChartWidth + 20).Append(' ').Append(height).Append("\" width=\"").Append(LabelWidth + ChartWidth + 20)
            .Append("\" height=\"").Append(height).Append("\">\n");
        Axis(html, total, y);
        html.Append(rows).Append("</svg>\n");
        html.Append("<p class=\"note\">Instructions are drawn one after another from their build's start (the builder reports durations, not start times); "
            + "a dashed outline is the cold duration history knows for a cached instruction — the time it saved.</p>\n");
    }

    /// <summary>The build's instructions, one row each; scaled down when the builder ran them in parallel (their sum exceeds the step).</summary>
    private static int Instructions(StringBuilder rows, RunRecord record, StepRecord step, double start, double total, int y)
    {
        var instructions = record.Instructions.Where(i => i.BuiltIn == step.Step).ToList();
        var effective = RunInstructions.Effective(record).Select(i => i.Record).ToHashSet(ReferenceEqualityComparer.Instance);
        var sum = instructions.Sum(i => i.Duration.TotalSeconds);
        var scale = sum > step.Duration.TotalSeconds && sum > 0 ? step.Duration.TotalSeconds / sum : 1;
        var offset = start;
        foreach (var instruction in instructions)
        {
            var counted = RunInstructions.Counts(instruction);
            var repeat = counted && !effective.Contains(instruction);
            var colour = !counted ? BuildColour : !instruction.Cached ? BuiltColour : repeat ? RepeatColour : CachedColour;
            var state = !counted ? "base image (not counted)" : !instruction.Cached ? "built" : repeat ? "cached (a repeat of an earlier step of this run)" : instruction.Skipped ? "cached (stage skipped: inputs unchanged)" : "cached";
            var text = $"{instruction.Stage}: {instruction.Text}";
            Label(rows, y, text.Length > 40 ? text[..39] + "…" : text, "instruction", text);
            var tip = $"{text}\n{state}, {ReportFormat.Seconds(instruction.Duration)}"
                + (instruction.ColdDuration is { } cold ? $", cold {ReportFormat.Seconds(cold)}" : "")
                + (instruction.Miss is { } miss ? $"\nwhy: {miss.Summary}" : "");
            // Outlines of trivial steps (WORKDIR, small COPY) would only clutter the chart.
            if (instruction.Cached && !repeat && instruction.ColdDuration is { } coldDuration && coldDuration >= MinimumOutline)
            {
                // Clipped at the chart's end: the cold duration usually dwarfs the warm run, which is the point.
                var x = X(offset, total);
                var width = Math.Min(W(coldDuration.TotalSeconds, total), LabelWidth + ChartWidth - x);
                rows.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(y + 5).Append("\" width=\"")
                    .Append(F(width)).Append("\" height=\"").Append(RowHeight - 10)
                    .Append("\" fill=\"none\" stroke=\"").Append(ColdColour).Append("\" stroke-dasharray=\"3 2\"><title>")
                    .Append(E(tip)).Append("</title></rect>\n")
                    .Append("<text class=\"cold\" x=\"").Append(F(width > 70 ? x + width - 4 : x + width + 4))
                    .Append("\" text-anchor=\"").Append(width > 70 ? "end" : "start").Append("\" y=\"").Append(y + 15).Append("\">cold ")
                    .Append(E(ReportFormat.Seconds(coldDuration))).Append("</text>\n");
            }

            var duration = instruction.Duration.TotalSeconds * scale;
            Bar(rows, X(offset, total), y + 4, W(duration, total), colour, null, tip, RowHeight - 8);
            offset += duration;
            y += RowHeight;
        }

        return y;
    }

    private static void Axis(StringBuilder html, double total, int bottom)
    {
        var tick = NiceTick(total / 8);
        html.Append("<g class=\"axis\">\n");
        for (var t = 0.0; t <= total + tick / 1000; t += tick)
        {
            var x = F(X(t, total));
            html.Append("<line x1=\"").Append(x).Append("\" y1=\"0\" x2=\"").Append(x).Append("\" y2=\"").Append(bottom).Append("\"/>\n")
                .Append("<text x=\"").Append(x).Append("\" y=\"").Append(bottom + 16).Append("\">")
                .Append(t.ToString(tick < 1 ? "0.0" : "0", CultureInfo.InvariantCulture)).Append(" s</text>\n");
        }

        html.Append("</g>\n");
    }

    private static void Legend(StringBuilder html)
    {
        html.Append("<ul class=\"legend\">\n");
        foreach (var (colour, text, dashed) in new[]
        {
            (FetchStoreColour, "fetching / storing cache", false),
            (BuildColour, "build step", false),
            (BuiltColour, "instruction built (ran cold)", false),
            (CachedColour, "instruction cached", false),
            (RepeatColour, "cached, a repeat of an earlier step of this run", false),
            (ColdColour, "cold duration from history (time saved)", true),
        })
        {
            html.Append("<li><span class=\"swatch").Append(dashed ? " dashed" : "").Append("\" style=\"")
                .Append(dashed ? "border-color:" : "background:").Append(colour).Append("\"></span>").Append(E(text)).Append("</li>\n");
        }

        html.Append("</ul>\n");
    }

    private static void FetchCost(StringBuilder html, RunRecord record)
    {
        var lines = FetchCostLine.Of(record);
        if (lines.Count == 0)
            return;
        html.Append("<section>\n<h2>Fetch cost: predicted, decided, happened</h2>\n<table>\n<tr><th>For</th><th>Cache</th><th>Decision</th><th>Bytes</th>"
            + "<th>Throughput</th><th>Fetch (predicted)</th><th>Saving (predicted)</th><th>What happened</th><th>Why</th></tr>\n");
        foreach (var f in lines)
        {
            html.Append("<tr><td>").Append(E(f.Scope)).Append("</td><td><code>").Append(E(f.Decision.Reference)).Append("</code></td><td>").Append(E(f.Outcome)).Append("</td>");
            Num(html, f.Bytes);
            Num(html, f.Throughput);
            Num(html, f.PredictedFetch);
            Num(html, f.PredictedSaving);
            html.Append("<td>").Append(E(f.Happened)).Append("</td><td>").Append(E(f.Decision.Reason)).Append("</td></tr>\n");
        }

        html.Append("</table>\n</section>\n");
    }

    private static void Lint(StringBuilder html, RunRecord record)
    {
        if (record.Lint is not { Findings.Count: > 0 } lint)
            return;
        html.Append("<section>\n<h2>Dockerfile lint: ").Append(lint.Findings.Count).Append(lint.Findings.Count == 1 ? " finding" : " findings")
            .Append("</h2>\n<table>\n<tr><th>Where</th><th>Rule</th><th>Problem</th><th>Fix</th></tr>\n");
        foreach (var f in lint.Findings)
        {
            html.Append("<tr><td><code>").Append(E(f.Path)).Append(':').Append(f.Line.ToString(CultureInfo.InvariantCulture)).Append("</code></td><td>")
                .Append(E(f.Rule)).Append("</td><td>").Append(E(f.Message)).Append("</td><td>").Append(E(f.Fix)).Append("</td></tr>\n");
        }

        html.Append("</table>\n</section>\n");
    }

    private static void Tables(StringBuilder html, RunRecord record, RunSummary summary)
    {
        html.Append("<section>\n<h2>Steps</h2>\n<table>\n<tr><th>Step</th><th>Outcome</th><th>Duration</th><th>Pulled</th><th>Pushed</th><th>Loaded</th><th>Saved</th><th>Note</th></tr>\n");
        foreach (var s in record.Steps)
        {
            html.Append("<tr><td>").Append(E(s.Step.ToString())).Append("</td><td>").Append(E(s.Outcome.ToString())).Append("</td>");
            Num(html, ReportFormat.Seconds(s.Duration));
            Num(html, ReportFormat.Bytes(s.BytesPulled));
            Num(html, ReportFormat.Bytes(s.BytesPushed));
            Num(html, ReportFormat.Bytes(s.BytesLoaded));
            Num(html, ReportFormat.Bytes(s.BytesSaved));
            html.Append("<td>").Append(E(s.Message ?? "")).Append("</td></tr>\n");
        }

        html.Append("</table>\n<h2>Stages</h2>\n<table>\n<tr><th>Stage</th><th>Cached</th><th>Built</th><th>Winning candidate</th><th>Candidates checked</th><th>Note</th></tr>\n");
        foreach (var stage in summary.Stages)
        {
            var candidates = record.Stages.FirstOrDefault(s => s.Name == stage.Name)?.Candidates ?? [];
            html.Append("<tr><td>").Append(E(stage.Name)).Append(stage.IsFinal && stage.Name != "final" ? " (final)" : "").Append("</td>");
            Num(html, stage.CachedInstructions.ToString(CultureInfo.InvariantCulture));
            Num(html, stage.BuiltInstructions.ToString(CultureInfo.InvariantCulture));
            html.Append("<td><code>").Append(E(stage.Winner ?? "none (cold)")).Append("</code></td><td>");
            foreach (var c in candidates)
            {
                html.Append("<div><code>").Append(E(c.Reference)).Append("</code> ").Append(E(c.Source)).Append(": ")
                    .Append(c.Error is not null ? "unknown (" + E(c.Error) + ")" : c.Exists ? "exists" : "missing").Append("</div>");
            }

            html.Append("</td><td>").Append(E(stage.SkipNote ?? "")).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        var misses = MissLine.Of(record);
        if (misses.Count > 0)
        {
            html.Append("<h2>Why it built</h2>\n<table>\n<tr><th>Stage</th><th>Instruction</th><th>Why</th></tr>\n");
            foreach (var miss in misses)
            {
                html.Append("<tr><td>").Append(E(miss.Stage)).Append("</td><td><code>").Append(E(miss.Instruction)).Append("</code></td><td>")
                    .Append(E(miss.Reason)).Append(E(miss.Later)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<h2>Instructions</h2>\n<table>\n<tr><th>Build</th><th>Stage</th><th>Instruction</th><th>Cached</th><th>Duration</th><th>Cold duration</th><th>Why built</th></tr>\n");
        foreach (var i in record.Instructions)
        {
            html.Append("<tr><td>").Append(E(i.BuiltIn.ToString())).Append("</td><td>").Append(E(i.Stage)).Append("</td><td><code>")
                .Append(E(i.Text)).Append("</code></td><td>").Append(i.Skipped ? "skipped" : i.Cached ? "yes" : "no").Append("</td>");
            Num(html, ReportFormat.Seconds(i.Duration));
            Num(html, i.ColdDuration is { } cold ? ReportFormat.Seconds(cold) : "");
            html.Append("<td>").Append(E(i.Miss?.Summary ?? "")).Append("</td></tr>\n");
        }

        html.Append("</table>\n</section>\n");
    }

    private static void Card(StringBuilder html, string title, string value, string note) =>
        html.Append("<div class=\"card\"><div class=\"title\">").Append(E(title)).Append("</div><div class=\"value\">").Append(E(value))
            .Append("</div><div class=\"note\">").Append(E(note)).Append("</div></div>\n");

    private static void Label(StringBuilder rows, int y, string text, string cssClass, string? title)
    {
        rows.Append("<text class=\"").Append(cssClass).Append("\" x=\"").Append(cssClass == "step" ? 4 : 16).Append("\" y=\"").Append(y + 15).Append("\">")
            .Append(E(text));
        if (title is not null)
            rows.Append("<title>").Append(E(title)).Append("</title>");
        rows.Append("</text>\n");
    }

    private static void Bar(StringBuilder rows, double x, int y, double width, string colour, string? cssClass, string title, int height = RowHeight - 4)
    {
        rows.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(y + 2).Append("\" width=\"").Append(F(width)).Append("\" height=\"")
            .Append(height).Append("\" rx=\"2\" fill=\"").Append(colour).Append('"');
        if (cssClass is not null)
            rows.Append(" class=\"").Append(cssClass).Append('"');
        rows.Append("><title>").Append(E(title)).Append("</title></rect>\n");
    }

    private static void Num(StringBuilder html, string text) => html.Append("<td class=\"num\">").Append(E(text)).Append("</td>");

    private static double X(double seconds, double total) => LabelWidth + seconds / total * ChartWidth;

    /// <summary>At least 2 px, so a cached instruction that took no time still shows.</summary>
    private static double W(double seconds, double total) => Math.Max(2, seconds / total * ChartWidth);

    private static double NiceTick(double rough)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(rough, 0.001))));
        var normalised = rough / magnitude;
        return magnitude * (normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10);
    }

    private static string VerdictClass(CacheVerdict verdict) => verdict switch
    {
        CacheVerdict.PaidOff => "good",
        CacheVerdict.DidNotPayOff => "bad",
        _ => "neutral",
    };

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; max-width: 1000px; }
        h1 { font-size: 1.4em; margin: 0 0 4px; } h2 { font-size: 1.1em; margin-top: 28px; }
        .meta { color: #59636e; margin: 0 0 12px; font-size: .9em; }
        .verdict { font-size: 1.15em; font-weight: 600; padding: 10px 14px; border-radius: 6px; border-left: 6px solid; }
        .verdict.good { background: #e6f4ea; border-color: #2f9e5c; } .verdict.bad { background: #fdecea; border-color: #d1242f; }
        .verdict.neutral { background: #f1f3f5; border-color: #8c959f; }
        .cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
        .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
        .card .title { font-size: .8em; color: #59636e; } .card .value { font-size: 1.3em; font-weight: 600; } .card .note { font-size: .75em; color: #59636e; }
        svg.timeline { display: block; max-width: 100%; height: auto; font-size: 12px; }
        svg.timeline text.step { font-weight: 600; fill: #1f2328; } svg.timeline text.instruction { fill: #424a53; font-family: ui-monospace, monospace; font-size: 11px; }
        svg.timeline .axis line { stroke: #eaeef2; } svg.timeline .axis text { fill: #59636e; text-anchor: middle; font-size: 11px; }
        svg.timeline text.cold { fill: #2f9e5c; font-size: 10px; }
        svg.timeline rect.failed { stroke: #d1242f; stroke-width: 2; }
        .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 14px; font-size: .85em; }
        .swatch { display: inline-block; width: 14px; height: 10px; margin-right: 6px; border-radius: 2px; vertical-align: middle; }
        .swatch.dashed { border: 1.5px dashed; background: none; }
        p.note { font-size: .8em; color: #59636e; }
        table { border-collapse: collapse; font-size: .85em; width: 100%; }
        th, td { border-bottom: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; } td.num { text-align: right; white-space: nowrap; }
        code { font-family: ui-monospace, monospace; font-size: .95em; word-break: break-all; }

        """;
}
