using CacheFrom.Configuration;

namespace CacheFrom.Hosting;

/// <summary>
/// Reads the parameter contract from a host: each parameter from the host's own value, else its
/// environment variable, else the host's defaults (a recipe's or a build's), else the engine's
/// default. Values are split and parsed here, once for every host, and every problem is listed at once.
/// </summary>
public static class ParameterReader
{
    /// <param name="source">The host's adapter.</param>
    /// <param name="workingDirectory">Where relative paths start (the build's root).</param>
    /// <param name="environment">The environment to fall back on; null: the process's.</param>
    /// <param name="defaults">Host-supplied defaults by parameter name, below the environment.</param>
    public static CacheFromOptions Read(
        IParameterSource source,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null,
        IReadOnlyDictionary<string, string>? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        var env = environment ?? EnvironmentSnapshot.Current();
        var options = new CacheFromOptions { WorkingDirectory = workingDirectory };
        var binding = new ParameterBinding(options, workingDirectory, env);
        var problems = new List<string>();
        foreach (var parameter in CacheFromParameterTable.All)
        {
            if (Values(parameter, source, env, defaults) is not { } values)
                continue;
            try
            {
                parameter.Bind(binding, values);
            }
            catch (CacheFromConfigurationException exception)
            {
                problems.AddRange(exception.Problems);
            }
        }

        problems.AddRange(binding.Complete());
        if (problems.Count > 0)
        {
            // Every problem at once: what the values say too (an invalid image name beside an invalid mode).
            try
            {
                CacheFromSettings.Resolve(options, env);
            }
            catch (CacheFromConfigurationException exception)
            {
                problems.AddRange(exception.Problems.Except(problems, StringComparer.Ordinal));
            }

            throw new CacheFromConfigurationException(problems);
        }

        return options;
    }

    /// <summary>The values that apply to <paramref name="parameter"/>, split and trimmed; null when none applies.</summary>
    internal static IReadOnlyList<string>? Values(
        ParameterDefinition parameter,
        IParameterSource source,
        IReadOnlyDictionary<string, string?> environment,
        IReadOnlyDictionary<string, string>? defaults)
    {
        if (source.ValuesOf(parameter) is { } given)
        {
            var values = given.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            if (values.Count > 0)
                return parameter.SplitsValues ? Split(values) : values.Select(v => v.Trim()).ToList();
            // A bare flag: a list given empty (no fallback tags), a switch or ssh's default; a text without one is as if not given.
            if (parameter.Kind == ParameterKind.List)
                return [];
            if (parameter.BareValue is { } bare)
                return [bare];
        }

        if (parameter.EnvironmentVariable is { } variable && environment.GetValueOrDefault(variable) is { } fromEnvironment
            && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return parameter.Kind == ParameterKind.List ? Split([fromEnvironment]) : [fromEnvironment.Trim()];
        }

        if (defaults is not null && defaults.TryGetValue(parameter.Name, out var fallback) && !string.IsNullOrWhiteSpace(fallback))
            return parameter.Kind == ParameterKind.List ? Split([fallback]) : [fallback.Trim()];
        return null;
    }

    // Environment values and tag lists: "main master" and "main,master" alike.
    private static List<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([' ', '\t', '\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
