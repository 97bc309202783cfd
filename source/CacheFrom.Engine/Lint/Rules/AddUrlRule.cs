using System.Text.RegularExpressions;
using CacheFrom.Configuration;

namespace CacheFrom.Lint.Rules;

/// <summary>
/// <c>ADD https://…</c> or <c>ADD git@…</c> without a checksum or a pinned commit: the builder fetches
/// it again on every build (BuildKit revalidates with the server, the classic builder downloads it
/// in full), and what it gets decides whether this step and every later one hit the cache.
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
                        $"ADD {source} is fetched on every build and is cached only as far as the server's headers allow, so a changed download silently rebuilds this step and everything after it",
                        input.Builder == BuilderKind.BuildKit
                            ? $"pin the content: ADD --checksum=sha256:SHA256 {source} {copy.Destination} (Dockerfile syntax 1.6 or later), or {curl}"
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
