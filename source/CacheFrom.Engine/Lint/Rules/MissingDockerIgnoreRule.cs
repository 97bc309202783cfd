namespace CacheFrom.Lint.Rules;

/// <summary>
/// A whole-context <c>COPY . .</c> that takes <c>.git</c>, <c>node_modules</c> or .NET build outputs
/// along because no <c>.dockerignore</c> leaves them out: <c>.git</c> changes with every commit (and
/// the others with every local build), so that COPY and every step after it miss the cache even
/// when no source file changed. Without a whole-context copy these folders only cost upload time.
/// </summary>
internal sealed class MissingDockerIgnoreRule : ILintRule
{
    private const int ProjectDepth = 3;

    public string Id => "missing-dockerignore";

    public IEnumerable<LintFinding> Check(LintInput input)
    {
        var copy = input.Stages.SelectMany(s => s.Instructions)
            .FirstOrDefault(i => i.Keyword is "COPY" or "ADD" && CopyArguments.Of(i).CopiesWholeContext);
        if (copy is null)
            yield break;

        var sent = new List<(string Folder, string IgnoreLine)>();
        foreach (var folder in new[] { ".git", "node_modules" })
        {
            if (input.Context.IsSent(folder))
                sent.Add((folder, folder));
        }

        foreach (var output in new[] { "bin", "obj" })
        {
            var folders = input.Context.NextToProjects(output, ProjectDepth).Where(input.Context.IsSent).ToList();
            if (folders.Count > 0)
                sent.Add((string.Join(", ", folders), "**/" + output));
        }

        if (sent.Count == 0)
            yield break;

        var what = string.Join(" and ", sent.Select(s => s.Folder));
        var why = sent.Any(s => s.Folder == ".git") ? ".git changes with every commit" : "they change with every local build";
        var lines = string.Join(", ", sent.Select(s => s.IgnoreLine));
        yield return input.Context.HasDockerIgnore
            ? input.Finding(copy, Id,
                $"the .dockerignore does not exclude {what}, so {LintInput.Quote(copy)} copies them and misses the cache with everything after it ({why})",
                $"add these lines to the context's .dockerignore: {lines}")
            : input.Finding(copy, Id,
                $"the context has no .dockerignore, so {LintInput.Quote(copy)} copies {what} and misses the cache with everything after it ({why})",
                $"add a .dockerignore to the context root with the lines: {lines}");
    }
}
