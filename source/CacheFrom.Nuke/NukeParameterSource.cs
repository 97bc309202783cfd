using System.Reflection;
using CacheFrom.Hosting;

namespace CacheFrom.Nuke;

/// <summary>
/// <see cref="IHazDockerCache"/>'s members as the contract's reader sees them: the member named by
/// each table row (<c>docker-cache-dir</c> → <c>CacheDir</c>), as NUKE resolved it (command line,
/// environment, <c>.nuke/parameters.json</c>), or a bare flag NUKE reads as absent.
/// </summary>
internal sealed class NukeParameterSource(IHazDockerCache build) : IParameterSource
{
    public IReadOnlyList<string>? ValuesOf(ParameterDefinition parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var value = Member(parameter).GetValue(build);
        return value switch
        {
            string text => [text],
            string[] values => values,
            null when DockerCliVariables.IsBareFlag(parameter.Name) => [],
            _ => null,
        };
    }

    /// <summary>The component's member for a table row; a row without one is a defect the parity test catches first.</summary>
    internal static PropertyInfo Member(ParameterDefinition parameter) =>
        typeof(IHazDockerCache).GetProperty(parameter.MemberName)
        ?? throw new InvalidOperationException($"IHazDockerCache has no member {parameter.MemberName} for the parameter {parameter.Name}");
}
