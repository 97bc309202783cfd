namespace CacheFrom.Configuration;

/// <summary>
/// Parses the parameter contract's string forms, so every host (NUKE, Cake) accepts the same
/// spellings and fails with the same message. Each parser names the parameter it read.
/// </summary>
public static class CacheFromParameters
{
    public static BuilderKind ParseBuilder(string value) =>
        value.Trim().ToLowerInvariant() switch
        {
            "buildkit" => BuilderKind.BuildKit,
            "classic" or "legacy" => BuilderKind.Classic,
            _ => throw Invalid("docker-builder", value, "buildkit or classic"),
        };

    public static CacheMode ParseCacheMode(string value) =>
        value.Trim().ToLowerInvariant() switch
        {
            "registry" => CacheMode.Registry,
            "tarball" => CacheMode.Tarball,
            "both" => CacheMode.Both,
            "none" => CacheMode.None,
            _ => throw Invalid("docker-cache", value, "registry, tarball, both or none"),
        };

    public static LintMode ParseLintMode(string value) =>
        value.Trim().ToLowerInvariant() switch
        {
            "warn" => LintMode.Warn,
            "off" => LintMode.Off,
            "error" => LintMode.Error,
            _ => throw Invalid("docker-lint", value, "warn, off or error"),
        };

    /// <summary>
    /// A duration: a number and a unit, <c>14d</c>, <c>36h</c>, <c>90m</c> or <c>2w</c> (a bare number is days);
    /// longer than zero. <paramref name="name"/> is the parameter, for the message.
    /// </summary>
    public static TimeSpan ParseDuration(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim().ToLowerInvariant();
        var unit = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? text[^1] : 'd';
        var number = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? text[..^1].TrimEnd() : text;
        var days = unit switch
        {
            'w' => 7.0,
            'd' => 1.0,
            'h' => 1.0 / 24,
            'm' => 1.0 / (24 * 60),
            _ => double.NaN,
        };
        // Up to a century: anything longer is a typo, and TimeSpan ends not far beyond.
        if (!double.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            || double.IsNaN(days) || amount <= 0 || amount * days > 36525)
        {
            throw Invalid(name, value, "a duration longer than zero such as 14d, 36h, 90m or 2w (a bare number is days)");
        }

        return TimeSpan.FromDays(amount * days);
    }

    public static CacheFetchMode ParseCacheFetchMode(string value) =>
        value.Trim().ToLowerInvariant() switch
        {
            "auto" => CacheFetchMode.Auto,
            "always" => CacheFetchMode.Always,
            "never" => CacheFetchMode.Never,
            _ => throw Invalid("docker-cache-fetch", value, "auto, always or never"),
        };

    /// <summary>Absent → null; empty (a bare flag) → true; true/false/1/0/yes/no otherwise.</summary>
    public static bool? ParseBool(string name, string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "" or "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw Invalid(name, value, "true or false"),
        };

    /// <summary><c>KEY=VALUE</c> items; a bare <c>KEY</c> takes its value from the environment, as docker does.</summary>
    public static IDictionary<string, string> ParseBuildArgs(IEnumerable<string> items, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items.Where(i => !string.IsNullOrWhiteSpace(i)))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? item.Trim() : item[..equals].Trim();
            if (key.Length == 0)
                throw Invalid("docker-build-args", item, "KEY=VALUE");
            result[key] = equals < 0
                ? (environment is null ? Environment.GetEnvironmentVariable(key) : environment.GetValueOrDefault(key)) ?? ""
                : item[(equals + 1)..];
        }

        return result;
    }

    /// <summary><c>id=ENV_VAR</c> or <c>id=path/to/file</c>: an existing file wins over a variable name.</summary>
    public static IList<BuildSecret> ParseSecrets(IEnumerable<string> items, string workingDirectory)
    {
        var result = new List<BuildSecret>();
        foreach (var item in items.Where(i => !string.IsNullOrWhiteSpace(i)))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == item.Length - 1)
                throw new CacheFromConfigurationException([$"docker-secrets '{item}' is not id=ENV_VAR or id=path/to/file"]);
            var id = item[..equals].Trim();
            var location = item[(equals + 1)..].Trim();
            var isFile = File.Exists(Path.GetFullPath(location, workingDirectory))
                || location.Contains('/', StringComparison.Ordinal) || location.Contains('\\', StringComparison.Ordinal);
            result.Add(new BuildSecret(id, isFile ? BuildSecretSource.File : BuildSecretSource.EnvironmentVariable, location));
        }

        return result;
    }

    private static CacheFromConfigurationException Invalid(string name, string value, string expected) =>
        new([$"{name} '{value}' is not valid; use {expected}"]);
}
