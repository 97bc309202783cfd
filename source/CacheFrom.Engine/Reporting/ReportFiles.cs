namespace CacheFrom.Reporting;

/// <summary>The files one run's report was written to.</summary>
public sealed record ReportFiles(string Json, string Markdown, string Html, string? GitHubStepSummary);
