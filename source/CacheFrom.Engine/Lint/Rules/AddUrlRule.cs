using System.Text.RegularExpressions;
using CacheFrom.Configuration;

namespace CacheFrom.Lint.Rules;

/// <summary>
/// <c>ADD https://…</c> or <c>ADD git@…</c> without a checksum or a pinned commit: both builders fetch
/// it again on every build (checked on Docker 20.10 and 26.1: one GET per build, the step cached only
/// when the bytes came back the same), so whatever the server returns decides whether this step and
/// every later one hit the cache, and nothing in the Dockerfile says what that should be.
/// </summary>
internal sealed partial class AddUrlRule : ILintRule
{
    public string Id => "add-url";

    public IEnumerable<LintFinding> Check(LintInput input)
    {
        foreach (var add in input.Stages.SelectMany(s => s.Instructions).Where(i => i.Keyword == "ADD"))
        {
            if (add.Flag("checksum") is { Length: > 0 })
                continue;
            var copy = CopyArguments.Of(add);
            foreach (var source in copy.Sources)
            {
                if (IsGit(source))
                {
                    if (PinnedCommit().IsMatch(source))
                        continue;
                    var bare = source.Split('#')[0];
                    yield return input.Finding(add, Id,
                        $"ADD {bare} resolves the repository's branch again on every build, so the cache of this step and all after it depends on whoever pushed last",
                        $"pin a commit: ADD {bare}#COMMIT_SHA {copy.Destination}");
                    break;
                }

                if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    var file = Uri.TryCreate(source, UriKind.Absolute, out var uri) && Path.GetFileName(uri.AbsolutePath) is { Length: > 0 } name ? name : "download";
                    var curl = $"RUN curl -fsSL {source} -o /tmp/{file} && echo \"SHA256  /tmp/{file}\" | sha256sum -c -";
                    yield return input.Finding(add, Id,
                        $"ADD {source} is downloaded again on every build and nothing pins what comes back, so a changed file silently rebuilds this step and everything after it",
                        input.Builder == BuilderKind.BuildKit
                            ? $"pin the content: ADD --checksum=sha256:SHA256 {source} {copy.Destination} (Dockerfile syntax 1.6: built into Docker 26, not into Docker 20.10), or {curl}"
                            : $"pin the content (the classic builder cannot verify what ADD downloads): {curl}");
                    break;
                }
            }
        }
    }

    private static bool IsGit(string source) =>
        source.StartsWith("git@", StringComparison.Ordinal)
        || source.StartsWith("git://", StringComparison.OrdinalIgnoreCase)
        || source.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
        || (source.StartsWith("http", StringComparison.OrdinalIgnoreCase) && GitUrl().IsMatch(source));

    [GeneratedRegex(@"\.git(?:#|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GitUrl();

    /// <summary><c>#&lt;40 hex&gt;</c>, optionally followed by <c>:subdir</c>.</summary>
    [GeneratedRegex(@"#[0-9a-fA-F]{40}(?::.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PinnedCommit();
}
