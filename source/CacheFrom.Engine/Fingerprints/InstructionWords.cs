using System.Text;
using System.Text.Json;
using CacheFrom.Dockerfiles;

namespace CacheFrom.Fingerprints;

/// <summary>
/// The words of an instruction's arguments as BuildKit reads them for COPY, ADD and ENV: the JSON
/// form (<c>["a b", "dest"]</c>) or words split on unquoted whitespace, each then expanded
/// (<c>$X</c>, quotes removed) in the stage's scope. Records which variables the words read.
/// </summary>
internal static class InstructionWords
{
    /// <summary>The raw words, quotes and escapes kept: expand each with <see cref="DockerfileSubstitution"/>.</summary>
    public static IReadOnlyList<string> Split(string arguments, char escape)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var trimmed = arguments.Trim();
        if (trimmed.StartsWith('[') && JsonArray(trimmed) is { } json)
            return json; // each element is one word; BuildKit still expands its $X

        var words = new List<string>();
        var word = new StringBuilder();
        var quote = '\0';
        for (var pos = 0; pos < trimmed.Length; pos++)
        {
            var c = trimmed[pos];
            if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                    words.Add(word.ToString());
                word.Clear();
                continue;
            }

            word.Append(c);
            if (c == escape && quote != '\'' && pos + 1 < trimmed.Length)
                word.Append(trimmed[++pos]);
            else if (quote != '\0' && c == quote)
                quote = '\0';
            else if (quote == '\0' && c is '"' or '\'')
                quote = c;
        }

        if (word.Length > 0)
            words.Add(word.ToString());
        return words;
    }

    private static List<string>? JsonArray(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                return null;
            return document.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
        }
        catch (JsonException)
        {
            return null; // the builders read invalid JSON as the shell-like form
        }
    }
}
