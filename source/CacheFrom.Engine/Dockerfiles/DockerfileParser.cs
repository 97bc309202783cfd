using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.Dockerfiles;

/// <summary>
/// Reads just enough of a Dockerfile to plan caches: stages, names, bases and the stages each
/// one uses. Syntax errors in instructions it does not need are left for the builder to report.
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
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerfileStage>();
        var stageLabels = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        StageBuilder? current = null;

        foreach (var (line, instruction) in Instructions(text))
        {
            var (keyword, arguments) = Split(instruction);
            switch (keyword)
            {
                case "ARG" when current is null:
                    var (argName, argDefault) = ParseArg(arguments);
                    globalArgs[argName] = buildArgs?.GetValueOrDefault(argName) ?? argDefault ?? "";
                    break;
                case "FROM":
                    if (current is not null)
                        stages.Add(current.Build());
                    current = ParseFrom(arguments, line, stages.Count, globalArgs, stageLabels, path);
                    if (current.Name is not null && !stageLabels.Add(current.Name))
                        throw Invalid(path, line, $"stage name '{current.Name}' is used twice");
                    stageLabels.Add(current.Label);
                    break;
                case "COPY" or "ADD" or "RUN" when current is not null:
                    foreach (Match match in FromFlag().Matches(arguments))
                    {
                        var source = match.Groups["from"].Value;
                        if (stageLabels.Contains(source) || int.TryParse(source, out _))
                            current.Uses(int.TryParse(source, out var index) && index < stages.Count ? stages[index].Label : source);
                    }

                    break;
                case not null when current is null && keyword != "ARG":
                    throw Invalid(path, line, $"'{keyword}' before the first FROM; a Dockerfile starts with FROM (only ARG may come before it)");
            }
        }

        if (current is null)
            throw Invalid(path, 1, "no FROM instruction");
        stages.Add(current.Build());
        return new Dockerfile(path, stages);
    }

    /// <summary>Logical instructions with their first line: continuations joined, comments and heredoc bodies skipped.</summary>
    private static IEnumerable<(int Line, string Text)> Instructions(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var escape = '\\';
        var directivesAllowed = true;
        var builder = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (directivesAllowed && EscapeDirective().Match(trimmed) is { Success: true } directive)
            {
                escape = directive.Groups["c"].Value[0];
                continue;
            }

            if (trimmed.StartsWith('#'))
                continue;
            directivesAllowed = false;
            if (builder.Length == 0 && trimmed.Length == 0)
                continue;
            if (builder.Length == 0)
                start = i + 1;

            var trimmedEnd = line.TrimEnd();
            if (trimmedEnd.EndsWith(escape))
            {
                builder.Append(trimmedEnd[..^1]).Append(' ');
                continue;
            }

            builder.Append(line);
            var instruction = builder.ToString().Trim();
            builder.Clear();
            yield return (start, instruction);

            // Skip heredoc bodies (<<EOF … EOF) so their lines are not read as instructions.
            foreach (Match heredoc in Heredoc().Matches(instruction))
            {
                var terminator = heredoc.Groups["word"].Value;
                while (i + 1 < lines.Length && lines[i + 1].Trim() != terminator)
                    i++;
                i++;
            }
        }

        if (builder.Length > 0)
            yield return (start, builder.ToString().Trim());
    }

    private static (string? Keyword, string Arguments) Split(string instruction)
    {
        var space = instruction.IndexOfAny([' ', '\t']);
        return space < 0
            ? (instruction.ToUpperInvariant(), "")
            : (instruction[..space].ToUpperInvariant(), instruction[(space + 1)..].Trim());
    }

    private static (string Name, string? Default) ParseArg(string arguments)
    {
        var equals = arguments.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arguments.Trim(), null) : (arguments[..equals].Trim(), arguments[(equals + 1)..].Trim().Trim('"'));
    }

    private static StageBuilder ParseFrom(string arguments, int line, int index, IReadOnlyDictionary<string, string> args, HashSet<string> earlierStages, string path)
    {
        var words = arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (words.Count is not (1 or 3) || (words.Count == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
            throw Invalid(path, line, $"'FROM {arguments}' is not 'FROM image [AS name]'");

        var baseImage = Substitute(words[0], args);
        var name = words.Count == 3 ? words[2] : null;
        if (name is not null && !StageName().IsMatch(name))
            throw Invalid(path, line, $"'{name}' is not a valid stage name (letters, digits, '-', '_', '.'; starting with a letter)");

        var builder = new StageBuilder(index, name?.ToLowerInvariant(), baseImage, line);
        if (earlierStages.Contains(baseImage))
            builder.Uses(baseImage);
        return builder;
    }

    private static string Substitute(string value, IReadOnlyDictionary<string, string> args) =>
        Variable().Replace(value, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value;
            var fallback = match.Groups["default"].Success ? match.Groups["default"].Value : "";
            return args.TryGetValue(name, out var found) && found.Length > 0 ? found : fallback;
        });

    private static CacheFromConfigurationException Invalid(string path, int line, string problem) =>
        new([$"{path}:{line}: {problem}"]);

    [GeneratedRegex(@"^#\s*escape\s*=\s*(?<c>[\\`])\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EscapeDirective();

    [GeneratedRegex(@"<<-?[""']?(?<word>[A-Za-z_][A-Za-z0-9_]*)[""']?", RegexOptions.CultureInvariant)]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"--(?:from|mount=[^ ]*from)=(?<from>[^ ,]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FromFlag();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?<default>[^}]*))?\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex StageName();

    private sealed class StageBuilder(int index, string? name, string baseImage, int line)
    {
        private readonly List<string> _dependsOn = [];

        public string? Name => name;

        public string Label => name ?? $"stage-{index}";

        public void Uses(string stage)
        {
            var label = stage.ToLowerInvariant();
            if (!_dependsOn.Contains(label))
                _dependsOn.Add(label);
        }

        public DockerfileStage Build() => new(index, name, baseImage, _dependsOn, line);
    }
}
