using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CacheFrom.Lint;

/// <summary>
/// Tells a build arg whose value changes with every commit or CI run (a commit SHA, a build
/// number, a date) by its name or by the value passed this run. Only passed values count: a
/// default written in the Dockerfile is the same on every run. The reason it gives never quotes
/// the value, which may be a secret.
/// </summary>
internal static partial class PerCommitValue
{
    private static readonly FrozenSet<string> Names = new[]
    {
        "SHA", "COMMIT", "REVISION", "GIT_SHA", "GIT_COMMIT", "GIT_REV", "GIT_REVISION", "GIT_HASH", "COMMIT_SHA", "COMMIT_HASH", "COMMIT_ID",
        "VCS_REF", "SOURCE_COMMIT", "SOURCE_VERSION", "BUILD_NUMBER", "BUILD_ID", "BUILD_DATE", "BUILD_TIME", "BUILD_TIMESTAMP", "BUILDTIME",
        "BUILDDATE", "TIMESTAMP", "CI_PIPELINE_ID", "CI_PIPELINE_IID", "CI_JOB_ID", "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "GITHUB_RUN_ATTEMPT",
        "CIRCLE_SHA1", "CIRCLE_BUILD_NUM", "BUILD_BUILDID", "BUILD_BUILDNUMBER", "BUILD_SOURCEVERSION",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] NameSuffixes =
    [
        "_SHA", "_SHA1", "_COMMIT", "_COMMIT_SHA", "_COMMIT_SHORT_SHA", "_REVISION", "_BUILD_NUMBER", "_BUILD_NUM", "_BUILD_ID",
        "_RUN_ID", "_RUN_NUMBER", "_PIPELINE_ID", "_JOB_ID", "_TIMESTAMP", "_BUILD_DATE", "_BUILD_TIME",
    ];

    // Credentials passed as build args do not change per commit, and their values must not be judged (or shown).
    private static readonly string[] SecretWords = ["TOKEN", "PASSWORD", "PASSWD", "SECRET", "KEY", "AUTH", "CREDENTIAL"];

    /// <summary>Why <paramref name="name"/> changes per commit, or null. <paramref name="passedValue"/>: its value in this run's build args, if passed.</summary>
    public static string? Reason(string name, string? passedValue)
    {
        if (string.IsNullOrEmpty(passedValue) || IsCacheBust(name))
            return null;
        if (IsPerCommitName(name))
            return "its name says so";
        if (SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)))
            return null;
        return ValueReason(passedValue.Trim());
    }

    /// <summary><c>CACHEBUST</c> and the like are meant to rebuild everything below them.</summary>
    private static bool IsCacheBust(string name) =>
        name.Replace("_", "", StringComparison.Ordinal).Contains("CACHEBUST", StringComparison.OrdinalIgnoreCase);

    public static bool IsPerCommitName(string name) =>
        Names.Contains(name)
        || NameSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase) && name.Length > s.Length);

    private static string? ValueReason(string value)
    {
        if (Hex().IsMatch(value) && IsShortSha(value))
            return "its value here is a commit SHA";
        if (IsoDate().IsMatch(value) || (CompactDate().Match(value) is { Success: true } compact && IsDate(compact.Groups["date"].Value)))
            return "its value here is a date";
        if (LongNumber().IsMatch(value))
            return "its value here is a long number: a build id or a timestamp";
        foreach (Match token in ShaToken().Matches(value))
        {
            if (IsShortSha(token.Groups["sha"].Value))
                return "its value here holds a commit SHA";
        }

        return null;
    }

    /// <summary>7 to 40 hex digits with both letters and digits: <c>3f2a1bc</c>, not <c>1234567</c> or <c>defaced</c>.</summary>
    private static bool IsShortSha(string value) =>
        value.Length is >= 7 and <= 40 && value.Any(char.IsAsciiDigit) && value.Any(char.IsAsciiLetter);

    private static bool IsDate(string yyyymmdd) =>
        DateTime.TryParseExact(yyyymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and < 2100;

    [GeneratedRegex("^[0-9a-fA-F]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Hex();

    /// <summary>A version or tag with a SHA in it: <c>1.4.0-3f2a1bc</c>, <c>v1.2-3-g3f2a1bc</c>, <c>main.3f2a1bc9</c>.</summary>
    [GeneratedRegex("(?:^|[^0-9a-zA-Z])g?(?<sha>[0-9a-f]{7,40})(?:$|[^0-9a-zA-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex ShaToken();

    [GeneratedRegex(@"(?:^|[^0-9])(?:19|20)\d\d-[01]\d-[0-3]\d(?:$|[^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    /// <summary><c>20261201</c>, <c>20261201T120000Z</c>, <c>202612011200</c>, alone or inside a version (<c>1.0.20261201</c>).</summary>
    [GeneratedRegex(@"(?:^|[^0-9])(?<date>20\d{6})(?:[T.\-_]?\d{4,6}Z?)?(?:$|[^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex CompactDate();

    [GeneratedRegex(@"^\d{9,}$", RegexOptions.CultureInvariant)]
    private static partial Regex LongNumber();
}
