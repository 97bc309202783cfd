namespace CacheFrom.Lint;

/// <summary>
/// One problem the preflight lint found: where (<see cref="Path"/>:<see cref="Line"/>), which rule,
/// what is wrong and what to do. Values of build args never appear in it (they may be secrets).
/// </summary>
/// <param name="Path">The file, relative to the working directory, with '/' separators (as editors and CI annotations read it).</param>
/// <param name="Line">1-based line of the instruction the finding is about.</param>
/// <param name="Rule">The rule's id, e.g. <c>per-commit-arg</c>; <c># cachefrom:ignore per-commit-arg</c> on the line above silences it.</param>
/// <param name="Message">What is wrong, in one sentence without a final full stop.</param>
/// <param name="Fix">What to do instead, in one sentence without a final full stop.</param>
public sealed record LintFinding(string Path, int Line, string Rule, string Message, string Fix)
{
    /// <summary>The finding in one line: <c>PATH:LINE: RULE: MESSAGE; fix: FIX</c>.</summary>
    public override string ToString() => $"{Path}:{Line}: {Rule}: {Message}; fix: {Fix}";
}
