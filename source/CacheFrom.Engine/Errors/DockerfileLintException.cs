using CacheFrom.Lint;

namespace CacheFrom;

/// <summary><c>docker-lint</c> is <c>error</c> and the lint found problems: raised before anything touches Docker, listing them all.</summary>
public sealed class DockerfileLintException : CacheFromException
{
    public DockerfileLintException(IReadOnlyList<LintFinding> findings)
        : base(Describe(findings))
    {
        Findings = findings;
    }

    public IReadOnlyList<LintFinding> Findings { get; }

    private static string Describe(IReadOnlyList<LintFinding> findings) =>
        $"The Dockerfile lint found {findings.Count} problem{(findings.Count == 1 ? "" : "s")} and docker-lint is error:"
        + string.Concat(findings.Select(f => $"{Environment.NewLine}  - {f}"))
        + $"{Environment.NewLine}Fix them, silence one with '# cachefrom:ignore RULE' on the line above it, or set docker-lint to warn.";
}
