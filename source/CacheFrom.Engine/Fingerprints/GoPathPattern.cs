using CacheFrom.BuildContext;
using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.Fingerprints;

/// <summary>
/// A COPY/ADD source pattern with the meaning of Go's <c>filepath.Match</c>, which BuildKit and
/// the classic builder use for wildcard sources: <c>*</c> is any run of characters but <c>/</c>,
/// <c>?</c> one character but <c>/</c>, <c>[…]</c> a class (<c>[^…]</c> negated, <c>a-z</c>
/// ranges), <c>\</c> makes the next character literal. The whole path must match.
/// </summary>
internal sealed class GoPathPattern
{
    private readonly Regex _regex;

    private GoPathPattern(Regex regex, int segments)
    {
        _regex = regex;
        Segments = segments;
    }

    /// <summary>Path segments the pattern has; only paths with as many can match (no wildcard crosses '/').</summary>
    public int Segments { get; }

    /// <summary>Whether the text holds a wildcard at all (a plain path is looked up, not matched).</summary>
    public static bool HasWildcards(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAny("*?[\\") >= 0;
    }

    /// <summary>The compiled pattern, or null when Go would call it malformed (an unclosed class, a trailing <c>\</c>).</summary>
    public static GoPathPattern? Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\':
                    if (++i >= pattern.Length)
                        return null;
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[':
                    if (!GoCharacterClass.TryAppend(pattern, ref i, regex))
                        return null;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        regex.Append("\\z");
        return new GoPathPattern(new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline), pattern.Count(c => c == '/') + 1);
    }

    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Count(c => c == '/') + 1 == Segments && _regex.IsMatch(path);
    }
}
