using System.CommandLine;
using CacheFrom.Hosting;

namespace CacheFrom.Tool.CommandLine;

/// <summary>One command-line option per row of the parameter table, named, described and split as the table says.</summary>
internal sealed class ParameterOptions
{
    private readonly Dictionary<ParameterDefinition, Option> _options = [];

    public ParameterOptions()
    {
        foreach (var parameter in CacheFromParameterTable.All)
        {
            // Every option may be bare (a switch, docker-ssh's default, an empty list); the reader decides what bare means.
            Option option = parameter.Kind == ParameterKind.List
                ? new Option<string[]>("--" + parameter.Name) { Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false }
                : new Option<string?>("--" + parameter.Name) { Arity = ArgumentArity.ZeroOrOne };
            option.Description = Describe(parameter);
            option.HelpName = parameter.Kind == ParameterKind.Switch ? "true|false" : parameter.Kind == ParameterKind.List ? "values" : "value";
            option.Recursive = true;
            _options[parameter] = option;
        }
    }

    public IEnumerable<Option> All => _options.Values;

    /// <summary>The parsed command line, then the host's handed-over parameters, as the contract's reader wants them.</summary>
    public IParameterSource Source(ParseResult parseResult, HostParameters hostParameters) => new ParsedParameters(parseResult, _options, hostParameters);

    private static string Describe(ParameterDefinition parameter)
    {
        var environment = parameter.EnvironmentVariable is { } variable ? $" [env: {variable}]" : "";
        return $"{parameter.Description} [default: {parameter.DefaultText}]{environment}";
    }

    private sealed class ParsedParameters(ParseResult parseResult, IReadOnlyDictionary<ParameterDefinition, Option> options, HostParameters hostParameters) : IParameterSource
    {
        public IReadOnlyList<string>? ValuesOf(ParameterDefinition parameter) =>
            parseResult.GetResult(options[parameter]) is { } result ? result.Tokens.Select(token => token.Value).ToList() : hostParameters.ValuesOf(parameter);
    }
}
