namespace CacheFrom.Hosting;

/// <summary>
/// A host's parameters as the contract's reader sees them: the tiny adapter each host writes
/// (NUKE's <c>[Parameter]</c> members, Cake's arguments, the tool's parsed command line).
/// </summary>
public interface IParameterSource
{
    /// <summary>
    /// The values the host was given for <paramref name="parameter"/>: null when it was not given,
    /// an empty list for a bare flag (<c>--docker-push</c>), else the values in order. The reader
    /// falls back to the parameter's environment variable when this is null.
    /// </summary>
    IReadOnlyList<string>? ValuesOf(ParameterDefinition parameter);
}
