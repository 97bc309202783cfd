using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.BuildContext;

/// <summary>
/// <c>.dockerignore</c> rules, the subset CI projects use: <c>*</c>, <c>?</c>, <c>**</c>,
/// <c>!</c> re-includes, <c>#</c> comments. As in Docker, the last matching rule wins and a rule
/// that matches a directory matches everything under it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(IReadOnlyList<(Regex Pattern, bool Exclude)> rules)
    {
        _rules = rules;
    }

    public static DockerIgnore Empty { get; } = new([]);

    /// <summary>True when some rule re-includes: an excluded directory must still be walked.</summary>
    public bool HasExceptions => _rules.Any(r => !r.Exclude);

    public static DockerIgnore Load(string contextDirectory)
    {
        var file = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(file) ? Parse(File.ReadAllLines(file)) : Empty;
    }

    public static DockerIgnore Parse(IEnumerable<string> lines)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var exclude = true;
            if (line.StartsWith('!'))
            {
                exclude = false;
                line = line[1..].Trim();
            }

            var pattern = Clean(line);
            if (pattern.Length == 0)
                continue;
            rules.Add((ToRegex(pattern), exclude));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether the context-relative path (with '/') is left out of the context.</summary>
    public bool IsExcluded(string relativePath)
    {
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (MatchesOrParentMatches(pattern, relativePath))
                excluded = exclude;
        }

        return excluded;
    }

    private static bool MatchesOrParentMatches(Regex pattern, string path)
    {
        if (pattern.IsMatch(path))
            return true;
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (pattern.IsMatch(path[..slash]))
                return true;
        }

        return false;
    }

    // Docker cleans patterns like paths: no leading '/' or './', no empty or '.' segments.
    private static string Clean(string pattern)
    {
        var segments = pattern.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != ".")
            .ToList();
        return string.Join('/', segments);
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }
}
