using System.Collections.Frozen;
namespace CacheFrom.Lint.Rules;

/// <summary>
/// <c>RUN apt-get update</c> (or <c>apk update</c>) with no install in the same RUN: its layer is cached
/// with the package index of the day it was built, so a later install RUN works from a stale index
/// (old versions, or 404s once the mirror moved on) while the update itself never runs again.
/// Only a RUN that does nothing but update is reported: a script after the update may install.
/// </summary>
internal sealed class AptUpdateAloneRule : ILintRule
{
    // Commands that cannot install anything, so a RUN of these and an update is "an update on its own".
    private static readonly FrozenSet<string> Harmless = new[] { "set", "true", ":", "echo", "rm", "apt-get", "apt", "apk" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> AptInstalls = new[] { "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ApkInstalls = new[] { "add", "upgrade", "fix" }.ToFrozenSet(StringComparer.Ordinal);

    public string Id => "apt-update-alone";

    public IEnumerable<LintFinding> Check(LintInput input)
    {
        foreach (var run in input.Stages.SelectMany(s => s.Instructions).Where(i => i.Keyword == "RUN"))
        {
            var commands = ShellCommands.Of(run);
            var apt = commands.FirstOrDefault(c => IsApt(c) && Verb(c) == "update");
            var apk = commands.FirstOrDefault(c => ShellCommands.Program(c[0]) == "apk" && Verb(c) == "update");
            if (apt is null && apk is null)
                continue;
            if (!commands.All(c => Harmless.Contains(ShellCommands.Program(c[0]))))
                continue;
            if (apt is not null && !commands.Any(c => IsApt(c) && AptInstalls.Contains(Verb(c) ?? "")))
            {
                yield return input.Finding(run, Id,
                    $"{ShellCommands.Program(apt[0])} update runs in a RUN of its own, so its layer keeps a stale package index that later installs use while the update never runs again",
                    "update and install in one RUN: RUN apt-get update && apt-get install -y --no-install-recommends PACKAGES && rm -rf /var/lib/apt/lists/*");
            }
            else if (apk is not null && !commands.Any(c => ShellCommands.Program(c[0]) == "apk" && ApkInstalls.Contains(Verb(c) ?? "")))
            {
                yield return input.Finding(run, Id,
                    "apk update runs in a RUN of its own, so its layer keeps a stale package index that later installs use while the update never runs again",
                    "drop it and install with RUN apk add --no-cache PACKAGES, which fetches a fresh index every time it runs");
            }
        }
    }

    private static bool IsApt(IReadOnlyList<string> command) => ShellCommands.Program(command[0]) is "apt-get" or "apt";

    /// <summary>The first word after the program that is not an option (nor the value of <c>-o</c>, <c>-c</c>, <c>-t</c>, <c>-X</c>).</summary>
    private static string? Verb(IReadOnlyList<string> command)
    {
        for (var i = 1; i < command.Count; i++)
        {
            if (command[i] is "-o" or "-c" or "-t" or "-X" or "--repository" or "--root")
            {
                i++;
                continue;
            }

            if (!command[i].StartsWith('-'))
                return command[i];
        }

        return null;
    }
}
