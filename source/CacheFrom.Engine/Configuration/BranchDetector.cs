namespace CacheFrom.Configuration;

/// <summary>Finds the current branch: CI variables first (CI checkouts are often detached), then <c>.git/HEAD</c>.</summary>
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
            var head = Path.Combine(directory.FullName, ".git", "HEAD");
            if (!File.Exists(head))
                continue;
            var content = File.ReadAllText(head).Trim();
            const string prefix = "ref: refs/heads/";
            return content.StartsWith(prefix, StringComparison.Ordinal) ? content[prefix.Length..] : null;
        }

        return null;
    }
}
