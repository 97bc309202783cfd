namespace CacheFrom.Configuration;

/// <summary>
/// Finds the current branch: CI variables first (CI checkouts are often detached), then the HEAD of
/// the nearest checkout (a <c>.git</c> directory, or a worktree's or submodule's <c>.git</c> file).
/// </summary>
internal static class BranchDetector
{
    // GitHub (pull request head, then ref name), GitLab, Azure Pipelines, Jenkins/TeamCity-style.
    private static readonly string[] CiVariables =
        ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILD_SOURCEBRANCH", "BRANCH_NAME", "GIT_BRANCH"];

    public static string? Detect(string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var variable in CiVariables)
        {
            if (environment.GetValueOrDefault(variable) is { Length: > 0 } value)
                return value;
        }

        for (var directory = new DirectoryInfo(workingDirectory); directory is not null; directory = directory.Parent)
        {
            if (GitDirectory(directory.FullName) is not { } gitDirectory)
                continue;
            var head = Path.Combine(gitDirectory, "HEAD");
            if (!File.Exists(head))
                return null;
            var content = File.ReadAllText(head).Trim();
            const string prefix = "ref: refs/heads/";
            return content.StartsWith(prefix, StringComparison.Ordinal) ? content[prefix.Length..] : null;
        }

        return null;
    }

    /// <summary>
    /// The repository directory of a checkout at <paramref name="directory"/>: <c>.git</c> itself, or,
    /// in a worktree or submodule, where the <c>.git</c> file's <c>gitdir:</c> line points. Null when there is none.
    /// </summary>
    private static string? GitDirectory(string directory)
    {
        var git = Path.Combine(directory, ".git");
        if (Directory.Exists(git))
            return git;
        if (!File.Exists(git))
            return null;
        const string prefix = "gitdir:";
        var line = File.ReadLines(git).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : Path.GetFullPath(line[prefix.Length..].Trim(), directory);
    }
}
