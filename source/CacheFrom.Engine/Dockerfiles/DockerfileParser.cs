using System.Globalization;
using System.Text.RegularExpressions;

namespace CacheFrom.Dockerfiles;

/// <summary>
/// Reads a Dockerfile the way BuildKit does, far enough to plan caches and describe each
/// instruction: directives, instructions, stages, their names, bases and the stages each one uses.
/// Instructions it does not need are kept as written and left for the builder to judge.
/// </summary>
public static partial class DockerfileParser
{
    public static Dockerfile Parse(string path, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        if (!File.Exists(path))
            throw new CacheFromConfigurationException([$"docker-file '{path}' does not exist"]);
        return ParseText(File.ReadAllText(path), path, buildArgs);
    }

    public static Dockerfile ParseText(string text, string path, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var read = DockerfileReader.Read(text, path);
        var globalArgs = new List<DockerfileInstruction>();
        var globalScope = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<StageDraft>();

        foreach (var instruction in read.Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add(ParseFrom(instruction, stages, globalScope, read.Escape, path));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
            else if (instruction.Keyword == "ARG")
            {
                globalArgs.Add(instruction);
                foreach (var arg in instruction.Args)
                {
                    // A build arg only reaches a declared ARG; an ARG with neither stays unset.
                    if (buildArgs is not null && buildArgs.TryGetValue(arg.Name, out var given))
                        globalScope[arg.Name] = given;
                    else if (arg.Default is { } fallback)
                        globalScope[arg.Name] = DockerfileSubstitution.Expand(fallback, globalScope, read.Escape).Value;
                }
            }
            else
            {
                throw Invalid(path, instruction.Line, $"'{instruction.Keyword}' before the first FROM; a Dockerfile starts with FROM (only ARG may come before it)");
            }
        }

        if (stages.Count == 0)
            throw Invalid(path, 1, "no FROM instruction");

        var dependencies = Dependencies(stages, globalScope, read.Escape, path);
        var built = stages.Select((s, i) => new DockerfileStage(i, s.Name, s.BaseImage, dependencies[i], s.Instructions)).ToList();
        return new Dockerfile(path, built, read.Directives, globalArgs, globalScope, read.Escape);
    }

    internal static CacheFromConfigurationException Invalid(string path, int line, string problem) =>
        new([$"{path}:{line}: {problem}"]);

    private static StageDraft ParseFrom(DockerfileInstruction from, List<StageDraft> earlier, Dictionary<string, string> globalScope, char escape, string path)
    {
        var words = from.Arguments.Split([' ', '\t', '\v', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is not (1 or 3) || (words.Length == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
            throw Invalid(path, from.Line, $"'{from.Text}' is not 'FROM image [AS name]'");

        string? name = null;
        if (words.Length == 3)
        {
            name = words[2].ToLowerInvariant();
            if (!StageName().IsMatch(name))
                throw Invalid(path, from.Line, $"'{words[2]}' is not a valid stage name (letters, digits, '-', '_', '.'; starting with a letter)");
            var label = earlier.Select((s, i) => s.Name ?? $"stage-{i}");
            if (label.Contains(name, StringComparer.Ordinal))
                throw Invalid(path, from.Line, $"stage name '{name}' is used twice");
        }
        else if (earlier.Any(s => s.Name == $"stage-{earlier.Count}"))
        {
            throw Invalid(path, from.Line, $"stage name 'stage-{earlier.Count}' is used twice (an unnamed stage here is called that too)");
        }

        var expansion = DockerfileSubstitution.Expand(words[0], globalScope, escape);
        if (expansion.Value.Length == 0)
        {
            var unset = expansion.Variables.Count == 0 ? "" : $" ({string.Join(", ", expansion.Variables)} unset or empty)";
            throw Invalid(path, from.Line, $"'{from.Text}' names no image after ARG substitution{unset}; give the ARG a default or pass it as a build arg");
        }

        return new StageDraft(name, expansion.Value) { Instructions = { from } };
    }

    /// <summary>
    /// Each stage's dependencies, base first: a <c>FROM</c> resolves to an earlier named stage only; a
    /// <c>COPY --from</c> or <c>RUN --mount=from=</c> to any stage by name or index (BuildKit allows later ones).
    /// </summary>
    private static List<List<string>> Dependencies(List<StageDraft> stages, Dictionary<string, string> globalScope, char escape, string path)
    {
        var labels = stages.Select((s, i) => s.Name ?? $"stage-{i}").ToList();
        var result = new List<List<string>>();
        for (var index = 0; index < stages.Count; index++)
        {
            var stage = stages[index];
            var uses = new List<string>();
            var baseIndex = stages.Take(index).ToList().FindLastIndex(s => s.Name is not null && s.Name.Equals(stage.BaseImage, StringComparison.OrdinalIgnoreCase));
            if (baseIndex >= 0)
                uses.Add(labels[baseIndex]);

            foreach (var instruction in stage.Instructions.Skip(1))
            {
                foreach (var source in Sources(instruction))
                {
                    var reference = DockerfileSubstitution.Expand(source, globalScope, escape).Value;
                    var target = int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                        ? number < stages.Count ? number : -1
                        : stages.FindIndex(s => s.Name is not null && s.Name.Equals(reference, StringComparison.OrdinalIgnoreCase));
                    if (target < 0)
                        continue; // an image, or a stage index the builder will refuse
                    if (target == index)
                        throw Invalid(path, instruction.Line, $"'{instruction.Text}' uses its own stage '{labels[index]}' (circular dependency)");
                    if (!uses.Contains(labels[target]))
                        uses.Add(labels[target]);
                }
            }

            result.Add(uses);
        }

        RejectCycles(labels, result, stages, path);
        return result;
    }

    private static IEnumerable<string> Sources(DockerfileInstruction instruction)
    {
        if (instruction.Keyword == "COPY" && instruction.Flag("from") is { Length: > 0 } from)
            yield return from;
        if (instruction.Keyword != "RUN")
            yield break;
        foreach (var mount in instruction.FlagValues("mount"))
        {
            foreach (var field in mount.Split(','))
            {
                var equals = field.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && field[..equals].Trim().Equals("from", StringComparison.OrdinalIgnoreCase) && field[(equals + 1)..].Trim() is { Length: > 0 } value)
                    yield return value;
            }
        }
    }

    private static void RejectCycles(List<string> labels, List<List<string>> uses, List<StageDraft> stages, string path)
    {
        // 0 unvisited, 1 on the current path, 2 done.
        var state = new int[labels.Count];
        for (var start = 0; start < labels.Count; start++)
            Visit(start);

        void Visit(int index)
        {
            if (state[index] == 2)
                return;
            state[index] = 1;
            foreach (var dependency in uses[index])
            {
                var next = labels.IndexOf(dependency);
                if (state[next] == 1)
                    throw Invalid(path, stages[index].Instructions[0].Line, $"stage '{labels[index]}' and stage '{dependency}' use each other (circular dependency between stages)");
                Visit(next);
            }

            state[index] = 2;
        }
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex StageName();

    private sealed class StageDraft(string? name, string baseImage)
    {
        public string? Name { get; } = name;

        public string BaseImage { get; } = baseImage;

        public List<DockerfileInstruction> Instructions { get; } = [];
    }
}
