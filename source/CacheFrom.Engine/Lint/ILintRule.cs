namespace CacheFrom.Lint;

/// <summary>One preflight check. A rule reports only what it is sure of: a finding nobody can act on is noise.</summary>
internal interface ILintRule
{
    /// <summary>The id users see and write in <c># cachefrom:ignore ID</c>: lower-case words joined by '-'.</summary>
    string Id { get; }

    IEnumerable<LintFinding> Check(LintInput input);
}
