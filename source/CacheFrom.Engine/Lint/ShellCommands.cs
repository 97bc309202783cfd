using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint;

/// <summary>
/// The simple commands of a <c>RUN</c>, as word lists: shell form split on <c>&amp;&amp;</c>, <c>||</c>,
/// <c>;</c>, <c>|</c> and line breaks (heredoc bodies included), exec form taken as one command.
/// Leading variable assignments and wrappers (<c>sudo</c>, <c>env</c>, <c>time</c>) are dropped, so
/// <c>CI=1 sudo npm ci</c> reads <c>npm ci</c>. Enough to recognise commands, not a shell.
/// </summary>
internal static class ShellCommands
{
    private static readonly FrozenSet<string> Wrappers = new[] { "sudo", "env", "time", "exec", "nice", "nohup", "command", "xargs" }.ToFrozenSet(StringComparer.Ordinal);

    public static IReadOnlyList<IReadOnlyList<string>> Of(DockerfileInstruction run)
    {
        var commands = new List<IReadOnlyList<string>>();
        if (ExecForm(run.Arguments) is { } exec)
        {
            // ["sh", "-c", "a && b"] runs a shell after all.
            if (exec.Count >= 3 && exec[1] == "-c" && IsShell(exec[0]))
                Split(exec[2], commands);
            else
                Add(exec, commands);
        }
        else
        {
            Split(run.Arguments, commands);
        }

        foreach (var heredoc in run.Heredocs)
            Split(heredoc.Body, commands);
        return commands;
    }

    /// <summary>True when <paramref name="command"/> starts with <paramref name="words"/> (the program compared by file name: <c>/usr/bin/apt-get</c> is <c>apt-get</c>).</summary>
    public static bool StartsWith(IReadOnlyList<string> command, params string[] words)
    {
        if (command.Count < words.Length)
            return false;
        for (var i = 0; i < words.Length; i++)
        {
            var word = i == 0 ? Program(command[0]) : command[i];
            if (!string.Equals(word, words[i], StringComparison.Ordinal))
                return false;
        }

        return true;
    }

    public static string Program(string word) => word[(word.LastIndexOf('/') + 1)..];

    private static bool IsShell(string program) => Program(program) is "sh" or "bash" or "ash" or "dash" or "zsh";

    private static List<string>? ExecForm(string arguments)
    {
        var trimmed = arguments.Trim();
        if (!trimmed.StartsWith('[') || !trimmed.EndsWith(']'))
            return null;
        try
        {
            return JsonSerializer.Deserialize<List<string>>(trimmed);
        }
        catch (JsonException)
        {
            // Not valid JSON: Docker runs it as a shell command too.
            return null;
        }
    }

    private static void Split(string text, List<IReadOnlyList<string>> commands)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
                else
                    word.Append(c);
                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '\\' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    EndWord(word, words);
                    break;
                case ' ' or '\t' or '\r':
                    EndWord(word, words);
                    break;
                case ';' or '|' or '&' or '\n' or '(' or ')':
                    EndWord(word, words);
                    Add(words, commands);
                    words = [];
                    break;
                default:
                    word.Append(c);
                    break;
            }
        }

        EndWord(word, words);
        Add(words, commands);
    }

    private static void EndWord(StringBuilder word, List<string> words)
    {
        // A heredoc marker (RUN <<EOF) stands for the body, which is read on its own.
        if (word.Length > 0 && !(word.Length > 2 && word[0] == '<' && word[1] == '<'))
            words.Add(word.ToString());
        word.Clear();
    }

    private static void Add(List<string> words, List<IReadOnlyList<string>> commands)
    {
        var start = 0;
        while (start < words.Count && (IsAssignment(words[start]) || Wrappers.Contains(words[start]) || (start > 0 && Wrappers.Contains(words[start - 1]) && words[start].StartsWith('-'))))
            start++;
        if (start < words.Count)
            commands.Add(words.Skip(start).ToList());
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }
}
