using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;
using CacheFrom.Lint.Rules;

namespace CacheFrom.Lint;

/// <summary>
/// The preflight lint: what in the Dockerfile, the build args and the context will keep the cache
/// cold, found before the first build. Reads files only; never touches Docker. Rules: docs/lint.md.
/// </summary>
internal static class DockerfileLint
{
    private static readonly ILintRule[] Rules =
    [
        new PerCommitArgRule(),
        new CopyAllBeforeInstallRule(),
        new AptUpdateAloneRule(),
        new AddUrlRule(),
        new MissingDockerIgnoreRule(),
    ];

    /// <summary>Every rule's id, as <c># cachefrom:ignore</c> takes them.</summary>
    public static IReadOnlyList<string> RuleIds { get; } = Rules.Select(r => r.Id).ToList();

    /// <summary>
    /// Lints the run's Dockerfile and context as <paramref name="settings"/> say (<c>docker-lint</c>).
    /// Throws <see cref="DockerfileLintException"/>, listing every finding, when the mode is error and
    /// something was found.
    /// </summary>
    public static LintResult Run(CacheFromSettings settings, Dockerfile dockerfile)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(dockerfile);
        if (settings.Lint == LintMode.Off)
            return new LintResult(LintMode.Off, []);

        var displayPath = Path.GetRelativePath(settings.WorkingDirectory, settings.DockerFile).Replace('\\', '/');
        var input = new LintInput(dockerfile, displayPath, new ContextFiles(settings.Context), settings.BuildArgs, settings.Builder);
        var findings = Check(input, File.ReadAllText(settings.DockerFile));
        if (settings.Lint == LintMode.Error && findings.Count > 0)
            throw new DockerfileLintException(findings);
        return new LintResult(settings.Lint, findings);
    }

    /// <summary>Every rule over <paramref name="input"/>, less what <c># cachefrom:ignore</c> comments in <paramref name="text"/> silence, in line order.</summary>
    internal static IReadOnlyList<LintFinding> Check(LintInput input, string text)
    {
        var ignore = new IgnoreComments(text);
        return Rules
            .SelectMany(rule => rule.Check(input))
            .Where(finding => !ignore.Silences(finding.Line, finding.Rule))
            .Distinct()
            .OrderBy(f => f.Line)
            .ThenBy(f => Array.FindIndex(Rules, r => r.Id == f.Rule))
            .ToList();
    }
}
