using System.Text;

namespace CacheFrom.BuildContext;

/// <summary>
/// A <c>[…]</c> class of Go's filepath.Match, as a regular-expression class: <c>[^…]</c> negates,
/// <c>a-z</c> ranges, <c>\</c> escapes, at least one range; '-' and ']' must be escaped to stand for
/// themselves. Shared by the .dockerignore rules and the fingerprints' COPY sources, which BuildKit
/// matches with the same function.
/// </summary>
internal static class GoCharacterClass
{
    /// <summary>Appends the class that starts at the '[' at <paramref name="i"/>; <paramref name="i"/> ends on its ']'. False when malformed.</summary>
    public static bool TryAppend(string pattern, ref int i, StringBuilder regex)
    {
        var body = new StringBuilder();
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            body.Append('^');
            i++;
        }

        var ranges = 0;
        while (true)
        {
            if (i >= pattern.Length)
                return false;
            if (pattern[i] == ']' && ranges > 0)
                break;
            if (!Member(pattern, ref i, out var low))
                return false;
            body.Append(Escape(low));
            if (i < pattern.Length && pattern[i] == '-')
            {
                i++;
                if (!Member(pattern, ref i, out var high) || high < low)
                    return false;
                body.Append('-').Append(Escape(high));
            }

            ranges++;
        }

        regex.Append('[').Append(body).Append(']');
        return true;
    }

    private static bool Member(string pattern, ref int i, out char member)
    {
        member = '\0';
        if (i >= pattern.Length || pattern[i] is '-' or ']')
            return false;
        if (pattern[i] == '\\' && ++i >= pattern.Length)
            return false;
        member = pattern[i++];
        return true;
    }

    private static string Escape(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();
}
