using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>
/// What one DiffCopy call asks for, from its gRPC metadata (BuildKit's filesync keys): the local
/// directory's name and the paths and patterns that narrow it. Values with non-ASCII characters
/// arrive query-escaped, flagged by a <c>KEY-encoded</c> entry.
/// </summary>
internal sealed record SyncRequest(
    string DirectoryName,
    IReadOnlyList<string> FollowPaths,
    IReadOnlyList<string> IncludePatterns,
    IReadOnlyList<string> ExcludePatterns)
{
    public const string DirectoryNameKey = "dir-name";
    public const string FollowPathsKey = "followpaths";
    public const string IncludePatternsKey = "include-patterns";
    public const string ExcludePatternsKey = "exclude-patterns";

    // Read from the HTTP headers: gRPC's Metadata view joins repeated values with commas, and patterns may hold commas.
    public static SyncRequest From(IHeaderDictionary headers) =>
        new(
            Values(headers, DirectoryNameKey).FirstOrDefault() ?? "",
            Values(headers, FollowPathsKey),
            Values(headers, IncludePatternsKey),
            Values(headers, ExcludePatternsKey));

    private static List<string> Values(IHeaderDictionary headers, string key)
    {
        var values = headers.TryGetValue(key, out var found) ? found : StringValues.Empty;
        var encoded = headers.TryGetValue(key + "-encoded", out var flag) && flag.Count > 0 && flag[0] is "1" or "true" or "True" or "TRUE" or "t" or "T";
        var result = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (value is null)
                continue;
            // Go's url.QueryEscape: '+' is a space, a real '+' is %2B.
            result.Add(encoded ? Uri.UnescapeDataString(value.Replace('+', ' ')) : value);
        }

        return result;
    }
}
