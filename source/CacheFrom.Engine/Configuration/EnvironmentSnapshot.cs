using System.Collections;

namespace CacheFrom.Configuration;

/// <summary>The process environment as a dictionary, so resolution is testable with a fake one.</summary>
internal static class EnvironmentSnapshot
{
    public static IReadOnlyDictionary<string, string?> Current()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }
}
