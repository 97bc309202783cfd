using CacheFrom.Configuration;
using CacheFrom.Files;
using CacheFrom.Recording;
using Serilog;

namespace CacheFrom.Reporting;

/// <summary>
/// Writes one run's report: <c>cachefrom-report.json</c>, <c>.md</c> and <c>.html</c> in the report
/// directory (each atomically), the Markdown appended to <c>$GITHUB_STEP_SUMMARY</c> when set,
/// and one summary table in the log.
/// </summary>
public static class ReportWriter
{
    public const string JsonFileName = "cachefrom-report.json";
    public const string MarkdownFileName = "cachefrom-report.md";
    public const string HtmlFileName = "cachefrom-report.html";

    public static Task<ReportFiles> WriteAsync(RunRecord record, string reportDirectory, ILogger logger, CancellationToken cancellationToken = default) =>
        WriteAsync(record, reportDirectory, logger, EnvironmentSnapshot.Current(), cancellationToken);

    /// <summary>As above, with the environment given (tests point <c>GITHUB_STEP_SUMMARY</c> at a temp file).</summary>
    internal static async Task<ReportFiles> WriteAsync(
        RunRecord record, string reportDirectory, ILogger logger, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(reportDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(environment);

        var summary = RunSummary.Compute(record);
        logger.Information("Cache summary: {Verdict:l}{NewLine:l}{Table:l}", summary.Verdict, Environment.NewLine, SummaryTable.Render(record, summary));

        var directory = Path.GetFullPath(reportDirectory);
        var json = Path.Combine(directory, JsonFileName);
        var markdown = Path.Combine(directory, MarkdownFileName);
        var html = Path.Combine(directory, HtmlFileName);
        var markdownText = MarkdownReport.Render(record, summary);
        await AtomicFile.WriteAllTextAsync(json, ReportDocument.From(record, summary).ToJson(), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(markdown, markdownText, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(html, HtmlReport.Render(record, summary), cancellationToken).ConfigureAwait(false);

        var stepSummary = environment.GetValueOrDefault("GITHUB_STEP_SUMMARY");
        if (string.IsNullOrWhiteSpace(stepSummary))
        {
            stepSummary = null;
        }
        else
        {
            try
            {
                // Appended, not replaced: other steps of the job write their own sections to the same file.
                await File.AppendAllTextAsync(stepSummary, markdownText + "\n", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                logger.Warning("Could not append the report to GITHUB_STEP_SUMMARY {Path}: {Reason}", stepSummary, exception.Message);
                stepSummary = null;
            }
        }

        logger.Information("Cache report: {Html:l}", html);
        return new ReportFiles(json, markdown, html, stepSummary);
    }
}
