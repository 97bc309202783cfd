using System.CommandLine;
using CacheFrom.Hosting;

namespace CacheFrom.Tool.CommandLine;

/// <summary>The tool's own options, beside the parameter contract: logging, run continuation, host defaults.</summary>
internal sealed class HostOptions
{
    public Option<string?> Verbosity { get; } = new("--verbosity", "-v")
    {
        Description = "Log detail: quiet, minimal, normal, detailed or diagnostic [default: normal]",
        Recursive = true,
    };

    public Option<string?> RunId { get; } = new("--run-id")
    {
        Description = "Continue the run recorded under this id (steps run as separate commands, e.g. by the Cake recipe) [env: CACHEFROM_RUN_ID]",
        Recursive = true,
    };

    public Option<string[]> Defaults { get; } = new("--default")
    {
        Description = "NAME=VALUE: a default for a parameter, used when neither its option nor its environment variable is given (a recipe's or a repository's defaults)",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
        Recursive = true,
    };

    public IEnumerable<Option> All => [Verbosity, RunId, Defaults];

    public string? RunIdOf(ParseResult parseResult) =>
        parseResult.GetValue(RunId) ?? (Environment.GetEnvironmentVariable("CACHEFROM_RUN_ID") is { Length: > 0 } id ? id : null);

    /// <summary>The <c>--default</c> values by parameter name; unknown names and malformed items are configuration problems.</summary>
    public IReadOnlyDictionary<string, string> DefaultsOf(ParseResult parseResult)
    {
        var problems = new List<string>();
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in parseResult.GetValue(Defaults) ?? [])
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? item[..equals].Trim() : item.Trim();
            if (equals <= 0)
                problems.Add($"--default '{item}' is not NAME=VALUE");
            else if (CacheFromParameterTable.Find(name) is not { } parameter)
                problems.Add($"--default names '{name}', which is not a parameter (see cachefrom --help)");
            else
                result[parameter.Name] = item[(equals + 1)..];
        }

        return problems.Count > 0 ? throw new CacheFromConfigurationException(problems) : result;
    }
}
