using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CacheFrom.Dockerfiles;

/// <summary>
/// Splits Dockerfile text into instructions by BuildKit's parser rules: parser directives only before
/// any comment, empty line or instruction; continuation lines joined (comment and empty lines inside
/// them dropped); here-documents on <c>RUN</c>, <c>COPY</c> and <c>ADD</c> read up to their terminator.
/// </summary>
internal static partial class DockerfileReader
{
    private static readonly string[] KnownDirectives = ["syntax", "escape", "check"];

    public sealed record Result(IReadOnlyList<DockerfileDirective> Directives, char Escape, IReadOnlyList<DockerfileInstruction> Instructions);

    public static Result Read(string text, string path)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        var lines = text.Split('\n');
        // A final line break does not start another (empty) line.
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;

        var directives = new List<DockerfileDirective>();
        var instructions = new List<DockerfileInstruction>();
        var escape = '\\';
        var lookingForDirectives = true;
        var i = 0;
        while (i < count)
        {
            var lineNumber = i + 1;
            var line = TrimLineBreak(lines[i++]);
            var content = line.TrimStart();
            if (lookingForDirectives)
            {
                if (Directive(content, lineNumber, path, directives) is { } directive)
                {
                    if (directive.Name == "escape")
                        escape = directive.Value[0];
                    continue;
                }

                lookingForDirectives = false;
            }

            if (content.Length == 0 || content[0] == '#')
                continue;

            var (joined, continues) = TrimContinuation(content, escape);
            var builder = new StringBuilder(joined);
            while (continues && i < count)
            {
                var next = TrimLineBreak(lines[i++]);
                var trimmed = next.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                    continue;
                (joined, continues) = TrimContinuation(next, escape);
                builder.Append(joined);
            }

            var whole = builder.ToString().Trim();
            if (whole.Length == 0)
                continue;
            var (keyword, flags, arguments, stepText) = Split(whole, escape);
            var heredocs = new List<DockerfileHeredoc>();
            if (CanHoldHeredocs(keyword, arguments, escape))
            {
                foreach (var (name, removeTabs, expands) in HeredocWords(whole))
                {
                    var body = new StringBuilder();
                    var terminated = false;
                    while (i < count)
                    {
                        var raw = lines[i++];
                        var candidate = TrimLineBreak(raw);
                        if (removeTabs)
                            candidate = candidate.TrimStart('\t');
                        if (candidate == name)
                        {
                            terminated = true;
                            break;
                        }

                        body.Append(raw).Append('\n');
                    }

                    if (!terminated)
                    {
                        throw DockerfileParser.Invalid(path, lineNumber,
                            $"the here-document <<{name} of '{Shorten(whole)}' has no closing '{name}' line (BuildKit fails with \"unterminated heredoc\"); end it with a line that holds only {name}");
                    }

                    heredocs.Add(new DockerfileHeredoc(name, body.ToString(), removeTabs, expands));
                }
            }

            var args = keyword == "ARG" ? ArgDeclarations(arguments, escape) : [];
            instructions.Add(new DockerfileInstruction(lineNumber, i, keyword, flags, arguments, stepText, heredocs, args));
        }

        return new Result(directives, escape, instructions);
    }

    private static DockerfileDirective? Directive(string content, int line, string path, List<DockerfileDirective> seen)
    {
        var match = DirectivePattern().Match(content);
        if (!match.Success)
            return null;
        var name = match.Groups["name"].Value.ToLowerInvariant();
        if (!KnownDirectives.Contains(name))
            return null;
        var value = match.Groups["value"].Value;
        if (seen.Any(d => d.Name == name))
            throw DockerfileParser.Invalid(path, line, $"a second '# {name}=' parser directive; only one is allowed");
        if (name == "escape" && value is not ("\\" or "`"))
            throw DockerfileParser.Invalid(path, line, $"'# escape={value}' is not a valid escape character; use \\ or `");
        var directive = new DockerfileDirective(name, value, line);
        seen.Add(directive);
        return directive;
    }

    private static string TrimLineBreak(string line) => line.TrimEnd('\r', '\n');

    /// <summary>A line ending in the escape character (spaces and tabs after it allowed) continues, unless that escape is itself escaped.</summary>
    private static (string Content, bool Continues) TrimContinuation(string line, char escape)
    {
        var end = line.TrimEnd(' ', '\t');
        if (end.Length == 0 || end[^1] != escape)
            return (line, false);
        if (end.Length >= 2 && end[^2] == escape)
            return (line, false);
        return (end[..^1], true);
    }

    private static (string Keyword, IReadOnlyList<string> Flags, string Arguments, string Text) Split(string whole, char escape)
    {
        var separator = whole.AsSpan().IndexOfAny(" \t\v\f\r");
        if (separator < 0)
            return (whole.ToUpperInvariant(), [], "", whole.ToUpperInvariant());
        var keyword = whole[..separator].ToUpperInvariant();
        var rest = whole[separator..].TrimStart();
        var (flags, arguments) = ExtractFlags(rest, escape);
        return (keyword, flags, arguments, keyword + whole[separator..]);
    }

    /// <summary>Leading words that start with <c>--</c> (quotes and escapes removed); a lone <c>--</c> ends them.</summary>
    private static (IReadOnlyList<string> Flags, string Arguments) ExtractFlags(string rest, char escape)
    {
        var flags = new List<string>();
        var pos = 0;
        while (true)
        {
            while (pos < rest.Length && char.IsWhiteSpace(rest[pos]))
                pos++;
            if (pos + 1 >= rest.Length || rest[pos] != '-' || rest[pos + 1] != '-')
                return (flags, rest[pos..].Trim());

            var word = new StringBuilder();
            var quote = '\0';
            for (; pos < rest.Length; pos++)
            {
                var c = rest[pos];
                if (quote == '\0' && char.IsWhiteSpace(c))
                    break;
                if (quote == '\0' && c is '"' or '\'')
                {
                    quote = c;
                    continue;
                }

                if (quote != '\0' && c == quote)
                {
                    quote = '\0';
                    continue;
                }

                if (c == escape && quote != '\'' && pos + 1 < rest.Length)
                    c = rest[++pos];
                word.Append(c);
            }

            if (word.ToString() == "--")
                return (flags, rest[pos..].Trim());
            flags.Add(word.ToString());
        }
    }

    // BuildKit reads heredocs on RUN, COPY and ADD (also under ONBUILD), and not in their JSON form.
    private static bool CanHoldHeredocs(string keyword, string arguments, char escape)
    {
        if (keyword == "ONBUILD")
        {
            var (inner, _, innerArguments, _) = Split(arguments, escape);
            return inner is "RUN" or "COPY" or "ADD" && !IsJsonArray(innerArguments);
        }

        return keyword is "RUN" or "COPY" or "ADD" && !IsJsonArray(arguments);
    }

    private static bool IsJsonArray(string arguments)
    {
        if (!arguments.StartsWith('['))
            return false;
        try
        {
            using var document = JsonDocument.Parse(arguments);
            return document.RootElement.ValueKind == JsonValueKind.Array
                && document.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The heredocs an instruction opens: the shell words (quotes kept) of the form <c>[n]&lt;&lt;[-]WORD</c>,
    /// WORD holding no <c>&lt;</c>. So <c>&lt;&lt;&lt;word</c> (a here-string), <c>$((1&lt;&lt;X))</c> (a shift)
    /// and a quoted <c>"&lt;&lt;EOF"</c> open none, as in BuildKit.
    /// </summary>
    private static IEnumerable<(string Name, bool RemovesTabs, bool Expands)> HeredocWords(string instruction)
    {
        foreach (var word in ShellWords(instruction))
        {
            var match = HeredocPattern().Match(word);
            if (!match.Success)
                continue;
            var raw = match.Groups["word"].Value;
            var unquoted = DockerfileSubstitution.Expand(raw, EmptyScope, '\\', removeQuotes: true).Value;
            // Only a single word names a heredoc (BuildKit's check); "$X" stays as written.
            var name = raw.Contains('$', StringComparison.Ordinal) ? RemoveQuotes(raw) : unquoted;
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
                continue;
            yield return (name, match.Groups["dash"].Value == "-", !raw.Contains('"', StringComparison.Ordinal) && !raw.Contains('\'', StringComparison.Ordinal));
        }
    }

    private static string RemoveQuotes(string raw) => raw.Replace("\"", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);

    private static readonly Dictionary<string, string> EmptyScope = new(StringComparer.Ordinal);

    /// <summary>Splits on unquoted whitespace, keeping quotes and escapes; <c>${…}</c> stays one piece.</summary>
    private static List<string> ShellWords(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quote = '\0';
        var braces = 0;
        for (var pos = 0; pos < text.Length; pos++)
        {
            var c = text[pos];
            if (quote == '\0' && braces == 0 && char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                    words.Add(word.ToString());
                word.Clear();
                continue;
            }

            word.Append(c);
            if (c == '\\' && quote != '\'' && pos + 1 < text.Length)
            {
                word.Append(text[++pos]);
            }
            else if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '$' && pos + 1 < text.Length && text[pos + 1] == '{')
            {
                braces++;
                word.Append(text[++pos]);
            }
            else if (c == '}' && braces > 0)
            {
                braces--;
            }
        }

        if (word.Length > 0)
            words.Add(word.ToString());
        return words;
    }

    /// <summary><c>ARG A=1 B="x y" C</c>: words split on unquoted whitespace (quotes kept for expansion), each <c>NAME[=default]</c>.</summary>
    private static List<DockerfileArg> ArgDeclarations(string arguments, char escape)
    {
        var result = new List<DockerfileArg>();
        var word = new StringBuilder();
        var quote = '\0';
        for (var pos = 0; pos <= arguments.Length; pos++)
        {
            var end = pos == arguments.Length;
            var c = end ? ' ' : arguments[pos];
            if (end || (quote == '\0' && char.IsWhiteSpace(c)))
            {
                if (word.Length > 0)
                {
                    var text = word.ToString();
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    result.Add(equals < 0 ? new DockerfileArg(text, null) : new DockerfileArg(text[..equals], text[(equals + 1)..]));
                }

                word.Clear();
                continue;
            }

            word.Append(c);
            if (c == escape && quote != '\'' && pos + 1 < arguments.Length)
                word.Append(arguments[++pos]);
            else if (quote != '\0' && c == quote)
                quote = '\0';
            else if (quote == '\0' && c is '"' or '\'')
                quote = c;
        }

        return result;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^#\s*(?<name>[a-zA-Z][a-zA-Z0-9]*)\s*=\s*(?<value>.+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex DirectivePattern();

    [GeneratedRegex(@"^\d*<<(?<dash>-?)(?<word>[^<]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeredocPattern();
}
