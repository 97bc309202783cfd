using System.Collections.Frozen;
using System.Text.RegularExpressions;
using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint.Rules;

/// <summary>
/// A build arg whose value changes with every commit (a SHA, a build number, a date), declared in a
/// stage above expensive steps. Both builders give a RUN below the <c>ARG</c> the arg in its
/// environment, so its cache key changes with the value whether the command reads it or not (checked
/// on Docker 20.10: BuildKit and the classic builder both re-run the first RUN below the ARG, while
/// the ARG line and a COPY between them stay cached). Every expensive step from there on re-runs.
/// </summary>
internal sealed partial class PerCommitArgRule : ILintRule
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = FrozenDictionary<string, string>.Empty;

    public string Id => "per-commit-arg";

    public IEnumerable<LintFinding> Check(LintInput input)
    {
        foreach (var stage in input.Stages)
        {
            var instructions = stage.Instructions;
            for (var index = 0; index < instructions.Count; index++)
            {
                if (instructions[index].Keyword != "ARG")
                    continue;
                foreach (var arg in instructions[index].Args)
                {
                    var reason = PerCommitValue.Reason(arg.Name, input.BuildArgs.GetValueOrDefault(arg.Name));
                    if (reason is not null && Judge(input, instructions, index, arg.Name, reason) is { } finding)
                        yield return finding;
                }
            }
        }
    }

    private LintFinding? Judge(LintInput input, IReadOnlyList<DockerfileInstruction> instructions, int argIndex, string name, string reason)
    {
        var below = instructions.Skip(argIndex + 1).ToList();
        var escape = input.Dockerfile.EscapeCharacter;
        var first = below.FindIndex(i => Invalidates(i, name, input.Builder, escape));
        if (first < 0)
            return null;

        // Steps that re-run for nothing: expensive, from the first invalidated one on, and not reading the value themselves.
        var wasted = below.Skip(first).Where(i => IsExpensive(i, input.Context) && !Reads(i, name, escape)).ToList();
        if (wasted.Count == 0)
            return null;

        var arg = instructions[argIndex];
        var more = wasted.Count == 1 ? "" : $" and {wasted.Count - 1} more step{(wasted.Count == 2 ? "" : "s")} below it";
        var message = $"ARG {name} differs on every build ({reason}), so {LintInput.Quote(wasted[0])} (line {wasted[0].Line}){more} {(wasted.Count == 1 ? "re-runs" : "re-run")} on every build";
        var firstUse = below.FirstOrDefault(i => Reads(i, name, escape));
        string fix;
        if (firstUse is null)
            fix = $"nothing in this stage reads {name}: remove this ARG, or declare it only in the stage that uses it";
        else if (wasted.Any(w => w.Line > firstUse.Line))
            fix = $"read {name} as late as possible: move its use (line {firstUse.Line}) and this ARG below the expensive steps, to the end of the stage, or into a LABEL at the end";
        else
            fix = $"move this ARG down to just above line {firstUse.Line}, where {name} is used";
        return input.Finding(arg, Id, message, fix);
    }

    /// <summary>Whether the instruction's cache key changes with the arg: every RUN (the arg is in its environment), and whatever expands it into the image.</summary>
    private static bool Invalidates(DockerfileInstruction instruction, string name, BuilderKind builder, char escape) =>
        instruction.Keyword switch
        {
            "RUN" => true,
            "ENV" or "COPY" or "ADD" or "WORKDIR" or "USER" or "VOLUME" => Reads(instruction, name, escape),
            // BuildKit keeps labels in the image config, outside every later step's cache key; the classic builder commits a new image.
            "LABEL" => builder == BuilderKind.Classic && Reads(instruction, name, escape),
            _ => false,
        };

    private static bool IsExpensive(DockerfileInstruction instruction, ContextFiles context) =>
        instruction.Keyword switch
        {
            "RUN" => true,
            "COPY" or "ADD" => CopiesManyFiles(instruction, context),
            _ => false,
        };

    /// <summary>A directory, a wildcard, the whole context, a URL; not a single file.</summary>
    private static bool CopiesManyFiles(DockerfileInstruction instruction, ContextFiles context)
    {
        var copy = CopyArguments.Of(instruction);
        return copy.CopiesWholeContext || copy.Sources.Any(source =>
            source.IndexOfAny(['*', '?', '[']) >= 0
            || source.Contains("://", StringComparison.Ordinal)
            || source.EndsWith('/')
            // From another stage a path without an extension is most likely a folder; from the context, look.
            || (copy.From is null ? context.IsDirectory(source.TrimStart('/')) : !Path.GetFileName(source).Contains('.', StringComparison.Ordinal)));
    }

    /// <summary>
    /// Whether the instruction reads the arg: what Docker expands (flags and arguments of COPY, ENV, LABEL…)
    /// as Docker expands it; for RUN, whose command the shell expands, any <c>$NAME</c> or <c>${NAME…}</c>, heredocs included.
    /// </summary>
    private static bool Reads(DockerfileInstruction instruction, string name, char escape)
    {
        if (instruction.Keyword == "RUN")
            return References(instruction.Arguments, name) || instruction.Heredocs.Any(h => References(h.Body, name)) || instruction.Flags.Any(f => References(f, name));
        return instruction.Flags.Append(instruction.Arguments).Any(text =>
            DockerfileSubstitution.Expand(text, NoVariables, escape, removeQuotes: false).Variables.Contains(name, StringComparer.Ordinal));
    }

    private static bool References(string text, string name) =>
        Variable().Matches(text).Any(m => string.Equals(m.Groups["name"].Value, name, StringComparison.Ordinal));

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
