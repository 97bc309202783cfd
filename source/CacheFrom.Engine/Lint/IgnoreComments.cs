using System.Text.RegularExpressions;

namespace CacheFrom.Lint;

/// <summary>
/// <c># cachefrom:ignore RULE[,RULE…] [why]</c> in the comment lines right above an instruction silences
/// those rules for it; a bare <c># cachefrom:ignore</c> silences every rule there.
/// </summary>
internal sealed partial class IgnoreComments
{
    private readonly string[] _lines;

    public IgnoreComments(string text)
    {
        _lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }

    public bool Silences(int line, string rule)
    {
        // The comment block directly above the instruction (1-based line; its index is line - 1).
        for (var index = line - 2; index >= 0; index--)
        {
            var text = _lines[index].Trim();
            if (!text.StartsWith('#'))
                return false;
            if (Comment().Match(text) is not { Success: true } match)
                continue;
            if (!match.Groups["rules"].Success)
                return true;
            if (match.Groups["rules"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Contains(rule, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^#\s*cachefrom:ignore(?:\s+(?<rules>[^\s]+))?(?:\s.*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Comment();
}
