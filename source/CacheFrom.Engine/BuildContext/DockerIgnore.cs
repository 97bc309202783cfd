using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.BuildContext;

/// <summary>
/// <c>.dockerignore</c> rules with the meaning moby's ignorefile and patternmatcher give them (the
/// docker CLI and BuildKit's fsutil use those): a line starting with <c>#</c> is a comment; each
/// pattern is trimmed and cleaned like a path (no leading <c>/</c> or <c>./</c>, no trailing <c>/</c>,
/// <c>a/../b</c> is <c>b</c>); <c>*</c> and <c>?</c> stop at <c>/</c>, <c>**</c> crosses it,
/// <c>[…]</c> is a character class, <c>\</c> escapes the next character (a path separator on
/// Windows instead); <c>!</c> re-includes. Rules apply in order, the last that matches wins, and a
/// rule that matches a directory matches everything under it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly IReadOnlyList<Rule> _rules;
    private readonly bool _exceptionsArePrefixes;

    private DockerIgnore(IReadOnlyList<Rule> rules, bool backslashIsSeparator)
    {
        _rules = rules;
        // fsutil's shortcut: when no re-include holds a wildcard, an excluded directory needs a walk
        // only if a re-include names a path inside it.
        var wildcards = backslashIsSeparator ? "*[]?^" : "*[]?^\\";
        _exceptionsArePrefixes = rules.Where(r => r.Exception).All(r => r.Prefix.IndexOfAny(wildcards.ToCharArray()) < 0);
    }

    public static DockerIgnore Empty { get; } = new([], OperatingSystem.IsWindows());

    /// <summary>True when some rule re-includes (<c>!pattern</c>): an excluded directory may still hold included paths.</summary>
    public bool HasExceptions => _rules.Any(r => r.Exception);

    /// <summary>The cleaned patterns in order, re-includes with their <c>!</c>.</summary>
    public IReadOnlyList<string> Patterns => _rules.Select(r => r.Exception ? "!" + r.Pattern : r.Pattern).ToList();

    /// <summary>The context's <c>.dockerignore</c>, or <see cref="Empty"/> when there is none.</summary>
    public static DockerIgnore Load(string contextDirectory)
    {
        var file = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(file) ? Parse(File.ReadAllLines(file), file) : Empty;
    }

    /// <param name="lines">The file's lines.</param>
    /// <param name="source">What an error names (<c>PATH:LINE</c>).</param>
    /// <param name="backslashIsSeparator">Whether <c>\</c> separates paths (Windows, as the docker CLI there reads it) instead of escaping.</param>
    public static DockerIgnore Parse(IEnumerable<string> lines, string source = ".dockerignore", bool? backslashIsSeparator = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var separator = backslashIsSeparator ?? OperatingSystem.IsWindows();
        var rules = new List<Rule>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = number == 1 ? raw.TrimStart('\uFEFF') : raw;
            // Only a '#' in the first column starts a comment; " #x" is a pattern.
            if (line.StartsWith('#'))
                continue;
            var pattern = line.Trim();
            if (pattern.Length == 0)
                continue;
            var exception = pattern[0] == '!';
            if (exception)
                pattern = pattern[1..].Trim();
            if (pattern.Length == 0)
                throw Invalid(source, number, "'!' alone re-includes nothing; write the pattern after it (the docker CLI refuses it too)");

            pattern = Clean(separator ? pattern.Replace('\\', '/') : pattern);
            if (pattern.Length > 1 && pattern[0] == '/')
                pattern = pattern[1..];
            rules.Add(Rule.Compile(pattern, exception, separator) ?? throw Invalid(source, number, $"'{raw.Trim()}' is not a valid pattern (an unclosed '[', an empty class or a trailing '\\'); the docker CLI and BuildKit refuse it too"));
        }

        return new DockerIgnore(rules, separator);
    }

    /// <summary>Whether the context-relative path (with '/') is left out: it, or a directory above it, matches.</summary>
    public bool IsExcluded(string relativePath)
    {
        var excluded = false;
        foreach (var rule in _rules)
        {
            // Only a re-include can change an excluded path, only an exclude an included one.
            if (rule.Exception != excluded)
                continue;
            if (rule.MatchesOrParentMatches(relativePath))
                excluded = !rule.Exception;
        }

        return excluded;
    }

    /// <summary>
    /// Whether a walk can skip the directory and everything under it: it is excluded and no
    /// re-include can bring back a path inside it. Conservative, as BuildKit's fsutil is: a
    /// re-include with a wildcard (<c>!**/*.json</c>) means every excluded directory is walked.
    /// </summary>
    public bool CanSkipDirectory(string relativeDirectory)
    {
        if (!IsExcluded(relativeDirectory))
            return false;
        if (!HasExceptions)
            return true;
        if (!_exceptionsArePrefixes)
            return false;
        var inside = relativeDirectory.TrimEnd('/') + "/";
        return !_rules.Any(r => r.Exception && (r.Prefix + "/").StartsWith(inside, StringComparison.Ordinal));
    }

    private static CacheFromConfigurationException Invalid(string source, int line, string problem) => new([$"{source}:{line}: {problem}"]);

    /// <summary>Go's <c>filepath.Clean</c> for '/' paths: one '/' between segments, no '.', '..' folded.</summary>
    internal static string Clean(string path)
    {
        var rooted = path.StartsWith('/');
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment == ".." && segments.Count > 0 && segments[^1] != "..")
                segments.RemoveAt(segments.Count - 1);
            else if (segment != ".." || !rooted)
                segments.Add(segment);
        }

        var joined = string.Join('/', segments);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private enum MatchKind
    {
        Exact,
        Prefix,
        Suffix,
        Expression,
    }

    private sealed class Rule
    {
        private readonly MatchKind _kind;
        private readonly Regex? _expression;

        private Rule(string pattern, bool exception, MatchKind kind, Regex? expression)
        {
            Pattern = pattern;
            Exception = exception;
            _kind = kind;
            _expression = expression;
            Prefix = pattern.EndsWith("/**", StringComparison.Ordinal) ? pattern[..^3]
                : pattern.EndsWith("/*", StringComparison.Ordinal) ? pattern[..^2]
                : pattern;
        }

        public string Pattern { get; }

        public bool Exception { get; }

        /// <summary>The pattern without a trailing <c>/**</c> or <c>/*</c> (fsutil's test for re-includes inside a directory).</summary>
        public string Prefix { get; }

        public bool MatchesOrParentMatches(string path)
        {
            if (Matches(path))
                return true;
            for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (Matches(path[..slash]))
                    return true;
            }

            return false;
        }

        private bool Matches(string path) => _kind switch
        {
            MatchKind.Exact => path == Pattern,
            MatchKind.Prefix => path.StartsWith(Pattern[..^2], StringComparison.Ordinal),
            MatchKind.Suffix => path.EndsWith(Pattern[2..], StringComparison.Ordinal) || (Pattern.Length > 2 && Pattern[2] == '/' && path == Pattern[3..]),
            _ => _expression!.IsMatch(path),
        };

        /// <summary>patternmatcher's translation, pattern kind included; null for a pattern Go's filepath.Match calls malformed.</summary>
        public static Rule? Compile(string pattern, bool exception, bool backslashIsSeparator)
        {
            var regex = new StringBuilder("^");
            var kind = MatchKind.Exact;
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    var first = i == 0;
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                        i++;
                    if (i + 1 >= pattern.Length)
                    {
                        if (kind == MatchKind.Exact)
                        {
                            kind = MatchKind.Prefix;
                        }
                        else
                        {
                            regex.Append(".*");
                            kind = MatchKind.Expression;
                        }
                    }
                    else
                    {
                        regex.Append("(?:.*/)?");
                        kind = MatchKind.Expression;
                    }

                    if (first)
                        kind = MatchKind.Suffix;
                }
                else if (c == '*')
                {
                    regex.Append("[^/]*");
                    kind = MatchKind.Expression;
                }
                else if (c == '?')
                {
                    regex.Append("[^/]");
                    kind = MatchKind.Expression;
                }
                else if (c == '\\' && !backslashIsSeparator)
                {
                    if (i + 1 >= pattern.Length)
                        return null;
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    kind = MatchKind.Expression;
                }
                else if (c == '[')
                {
                    if (GoCharacterClass.TryAppend(pattern, ref i, regex) is false)
                        return null;
                    kind = MatchKind.Expression;
                }
                else
                {
                    regex.Append(Regex.Escape(c.ToString()));
                }
            }

            regex.Append("\\z");
            var expression = kind == MatchKind.Expression ? new Regex(regex.ToString(), RegexOptions.CultureInvariant) : null;
            return new Rule(pattern, exception, kind, expression);
        }
    }
}
