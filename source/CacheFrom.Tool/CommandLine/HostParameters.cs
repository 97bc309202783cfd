using System.Text.Json;
using CacheFrom.Hosting;

namespace CacheFrom.Tool.CommandLine;

/// <summary>
/// Parameters a host hands over in <c>CACHEFROM_HOST_PARAMETERS</c> instead of on the command line,
/// where every user of the machine can read them (<c>ps</c>): a JSON object of parameter name to
/// values, <c>{"docker-password":["…"]}</c>, as the Cake recipe passes its arguments. They rank with
/// the command line, above the environment. The variable is read once and removed, so the processes
/// the tool starts (credential helpers, docker) do not inherit it.
/// </summary>
internal sealed class HostParameters
{
    public const string EnvironmentVariable = "CACHEFROM_HOST_PARAMETERS";

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _values;
    private readonly string? _problem;

    private HostParameters(IReadOnlyDictionary<string, IReadOnlyList<string>> values, string? problem)
    {
        _values = values;
        _problem = problem;
    }

    public static HostParameters FromEnvironment()
    {
        var json = Environment.GetEnvironmentVariable(EnvironmentVariable);
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        return string.IsNullOrWhiteSpace(json) ? new HostParameters(new Dictionary<string, IReadOnlyList<string>>(), null) : Parse(json);
    }

    /// <summary>The values given for <paramref name="parameter"/>, or null; a malformed variable is a configuration problem.</summary>
    public IReadOnlyList<string>? ValuesOf(ParameterDefinition parameter) =>
        _problem is not null ? throw new CacheFromConfigurationException([_problem])
        : _values.TryGetValue(parameter.Name, out var values) ? values : null;

    private static HostParameters Parse(string json)
    {
        // The problem never quotes the text: it may hold credentials.
        const string Shape = EnvironmentVariable + " is not a JSON object of parameter names to lists of values ({\"docker-image\":[\"app\"]})";
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return new HostParameters(values, Shape);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (CacheFromParameterTable.Find(property.Name) is not { } parameter)
                    return new HostParameters(values, $"{EnvironmentVariable} names '{property.Name}', which is not a parameter (see cachefrom --help)");
                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                    return new HostParameters(values, Shape);
                values[parameter.Name] = [.. property.Value.EnumerateArray().Select(v => v.GetString()!)];
            }
        }
        catch (JsonException)
        {
            return new HostParameters(values, Shape);
        }

        return new HostParameters(values, null);
    }
}
