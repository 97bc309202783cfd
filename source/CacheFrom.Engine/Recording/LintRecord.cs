using System.Text.Json.Serialization;
using CacheFrom.Configuration;
using CacheFrom.Lint;

namespace CacheFrom.Recording;

/// <summary>What the run's preflight lint found (<c>docker-lint</c>), in Dockerfile order.</summary>
public sealed class LintRecord
{
    [JsonConstructor]
    public LintRecord(LintMode mode, IReadOnlyList<LintFinding> findings)
    {
        Mode = mode;
        Findings = findings;
    }

    public LintMode Mode { get; }

    public IReadOnlyList<LintFinding> Findings { get; }
}
