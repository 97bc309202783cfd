using CacheFrom.Configuration;
using CacheFrom.Recording;
using Serilog;

namespace CacheFrom.Lint;

/// <summary>The lint of one pipeline: computed when it opens, recorded and logged once per run.</summary>
internal sealed class LintResult(LintMode mode, IReadOnlyList<LintFinding> findings)
{
    public LintMode Mode { get; } = mode;

    public IReadOnlyList<LintFinding> Findings { get; } = findings;

    /// <summary>
    /// Puts the findings into <paramref name="record"/> and logs each as a warning, unless the record
    /// already has them: a host that runs each step as its own target continues the same run, whose
    /// first step already did this.
    /// </summary>
    public void RecordOnce(RunRecord record, ILogger logger)
    {
        if (record.Lint is not null)
            return;
        record.Lint = new LintRecord(Mode, Findings);
        if (Mode == LintMode.Off)
            return;
        foreach (var f in Findings)
            logger.Warning("{Path:l}:{Line}: {Rule:l}: {Problem:l}; fix: {Fix:l}", f.Path, f.Line, f.Rule, f.Message, f.Fix);
        if (Findings.Count == 0)
            logger.Information("Dockerfile lint: nothing found");
    }
}
