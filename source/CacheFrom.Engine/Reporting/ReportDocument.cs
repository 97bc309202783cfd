using System.Text.Json;
using System.Text.Json.Serialization;
using CacheFrom.Recording;

namespace CacheFrom.Reporting;

/// <summary>
/// The JSON report, <c>cachefrom-report.json</c>, documented in docs/report.md. Durations are
/// seconds as numbers (milliseconds precision), sizes are bytes, enum values are their C# names.
/// </summary>
internal sealed record ReportDocument(
    int SchemaVersion,
    string RunId,
    string Image,
    string Tag,
    string Builder,
    string Cache,
    bool Push,
    DateTimeOffset StartedAt,
    ReportSummaryDocument Summary,
    IReadOnlyList<ReportStepDocument> Steps,
    IReadOnlyList<ReportStageDocument> Stages,
    IReadOnlyList<ReportInstructionDocument> Instructions,
    IReadOnlyList<string> QuarantinedTarballs,
    ReportLintDocument? Lint,
    IReadOnlyList<ReportFetchDecisionDocument>? FetchDecisions = null)
{
    public const int CurrentSchemaVersion = 1;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static ReportDocument From(RunRecord record, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(summary);
        var effective = RunInstructions.Effective(record).Select(i => i.Record).ToHashSet(ReferenceEqualityComparer.Instance);
        return new ReportDocument(
            CurrentSchemaVersion,
            record.RunId,
            record.Image,
            record.Tag,
            record.Builder.ToString(),
            record.Cache.ToString(),
            record.Push,
            record.StartedAt,
            new ReportSummaryDocument(
                summary.Outcome.ToString(),
                summary.Verdict,
                ReportFormat.JsonSeconds(summary.FetchTime),
                ReportFormat.JsonSeconds(summary.StoreTime),
                ReportFormat.JsonSeconds(summary.BuildTime),
                ReportFormat.JsonSeconds(summary.TotalTime),
                summary.TimeSaved is { } saved ? ReportFormat.JsonSeconds(saved) : null,
                summary.TimeSavedKnownFor,
                summary.Net is { } net ? ReportFormat.JsonSeconds(net) : null,
                summary.CachedInstructions,
                summary.BuiltInstructions,
                summary.BytesPulled,
                summary.BytesPushed,
                summary.BytesLoaded,
                summary.BytesSaved,
                summary.PredictedFetchTime is { } predictedFetch ? ReportFormat.JsonSeconds(predictedFetch) : null,
                summary.PredictedTimeSaved is { } predictedSaving ? ReportFormat.JsonSeconds(predictedSaving) : null,
                summary.NotFetched),
            record.Steps.Select(s => new ReportStepDocument(
                s.Step.ToString(), s.Outcome.ToString(), s.StartedAt, ReportFormat.JsonSeconds(s.Duration), s.Message,
                s.BytesPulled, s.BytesPushed, s.BytesLoaded, s.BytesSaved)).ToList(),
            summary.Stages.Select(stage => Stage(record, stage)).ToList(),
            record.Instructions.Select(i => new ReportInstructionDocument(
                i.Stage, i.Text, i.BuiltIn.ToString(), i.Cached, i.Skipped, RunInstructions.Counts(i), RunInstructions.Counts(i) && !effective.Contains(i), ReportFormat.JsonSeconds(i.Duration),
                i.ColdDuration is { } cold ? ReportFormat.JsonSeconds(cold) : null,
                ReportMissDocument.From(i.Miss))).ToList(),
            [.. record.QuarantinedTarballs],
            record.Lint is { } lint
                ? new ReportLintDocument(lint.Mode.ToString(), lint.Findings.Select(f => new ReportLintFindingDocument(f.Path, f.Line, f.Rule, f.Message, f.Fix)).ToList())
                : null,
            FetchCostLine.Of(record).Select(ReportFetchDecisionDocument.From).ToList());
    }

    private static ReportStageDocument Stage(RunRecord record, StageSummary stage)
    {
        var stageRecord = record.Stages.FirstOrDefault(s => s.Name == stage.Name);
        return new ReportStageDocument(
            stage.Name, stage.IsFinal, stage.ImageReference, stage.Winner, stage.CachedInstructions, stage.BuiltInstructions,
            (stageRecord?.Candidates ?? []).Select(c => new ReportCandidateDocument(c.Reference, c.Source, c.Exists, ReportFormat.JsonSeconds(c.CheckDuration), c.Error)).ToList(),
            stageRecord?.Fingerprint,
            stageRecord?.FingerprintUnknown,
            stageRecord?.WinnerFingerprint,
            stageRecord?.InputsUnchanged ?? false,
            stage.SkippedSince,
            ReportMissDocument.From(stageRecord?.Change));
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ReportDocument? FromJson(string json) => JsonSerializer.Deserialize<ReportDocument>(json, JsonOptions);
}

internal sealed record ReportSummaryDocument(
    string Outcome,
    string Verdict,
    double FetchSeconds,
    double StoreSeconds,
    double BuildSeconds,
    double TotalSeconds,
    double? TimeSavedSeconds,
    int TimeSavedKnownFor,
    double? NetSeconds,
    int CachedInstructions,
    int BuiltInstructions,
    long BytesPulled,
    long BytesPushed,
    long BytesLoaded,
    long BytesSaved,
    double? PredictedFetchSeconds = null,
    double? PredictedTimeSavedSeconds = null,
    int NotFetched = 0);

internal sealed record ReportStepDocument(
    string Step,
    string Outcome,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    string? Message,
    long BytesPulled,
    long BytesPushed,
    long BytesLoaded,
    long BytesSaved);

internal sealed record ReportStageDocument(
    string Name,
    bool IsFinal,
    string? Image,
    string? Winner,
    int CachedInstructions,
    int BuiltInstructions,
    IReadOnlyList<ReportCandidateDocument> Candidates,
    string? Fingerprint,
    string? FingerprintUnknown,
    string? WinnerFingerprint,
    bool InputsUnchanged,
    string? SkippedSince,
    ReportMissDocument? Change);

internal sealed record ReportCandidateDocument(string Reference, string Source, bool Exists, double CheckSeconds, string? Error);

/// <summary>
/// <c>Counted</c>: false for <c>FROM</c>, which is neither a hit nor built work. <c>RepeatInRun</c>: the
/// same instruction appeared earlier in this run (the final build repeating the builder stage); not counted again.
/// </summary>
internal sealed record ReportInstructionDocument(
    string Stage,
    string Text,
    string BuiltIn,
    bool Cached,
    bool Skipped,
    bool Counted,
    bool RepeatInRun,
    double DurationSeconds,
    double? ColdDurationSeconds,
    ReportMissDocument? Miss);

/// <summary>Why an instruction missed (or a stage changed): <c>Kind</c> and <c>Reasons</c> are <see cref="MissKind"/> names.</summary>
internal sealed record ReportMissDocument(
    string Kind,
    IReadOnlyList<string> Reasons,
    string Summary,
    IReadOnlyList<string> Paths,
    int MorePaths,
    IReadOnlyList<string> Args,
    int? EarlierLine)
{
    public static ReportMissDocument? From(MissExplanation? miss) =>
        miss is null ? null : new(miss.Kind.ToString(), miss.Reasons.Select(r => r.ToString()).ToList(), miss.Summary, miss.Paths, miss.MorePaths, miss.Args, miss.EarlierLine);
}

/// <summary>The preflight lint (docs/lint.md): <c>Mode</c> is <c>Warn</c>, <c>Off</c> or <c>Error</c>; findings in Dockerfile order.</summary>
internal sealed record ReportLintDocument(string Mode, IReadOnlyList<ReportLintFindingDocument> Findings);

internal sealed record ReportLintFindingDocument(string Path, int Line, string Rule, string Message, string Fix);

/// <summary>
/// One fetch decision (docs/fetch-cost.md): <c>Stage</c> null for a tarball (every stage); the prediction,
/// then what happened: the measured saving of a fetched cache, or the cold build time of a stage that was not fetched.
/// </summary>
internal sealed record ReportFetchDecisionDocument(
    string? Stage,
    string Source,
    string Reference,
    string Mode,
    bool Fetched,
    string Reason,
    long? PredictedBytes,
    double? ThroughputBytesPerSecond,
    int ThroughputSamples,
    bool ThroughputFromFetches,
    double? PredictedFetchSeconds,
    double? PredictedSavingSeconds,
    int HitsPredicted,
    int HitsKnown,
    int CachedInstructions,
    double? ActualSavingSeconds,
    int BuiltInstructions,
    double ColdBuildSeconds)
{
    public static ReportFetchDecisionDocument From(FetchCostLine line)
    {
        var d = line.Decision;
        return new(
            d.Stage, d.Source, d.Reference, d.Mode.ToString(), d.Fetch, d.Reason, d.PredictedBytes, d.Throughput, d.ThroughputSamples, d.ThroughputFromFetches,
            d.PredictedFetch is { } f ? ReportFormat.JsonSeconds(f) : null,
            d.PredictedSaving is { } s ? ReportFormat.JsonSeconds(s) : null,
            d.HitsPredicted, d.HitsKnown, line.Cached,
            line.ActualSaving is { } a ? ReportFormat.JsonSeconds(a) : null,
            line.Built, ReportFormat.JsonSeconds(line.ColdBuild));
    }
}
