using CacheFrom.Hosting;

namespace CacheFrom.Tests.Hosting;

/// <summary>A host's given values by parameter name; absent names are "not given".</summary>
internal sealed class FakeParameterSource(Dictionary<string, string[]> given) : IParameterSource
{
    public IReadOnlyList<string>? ValuesOf(ParameterDefinition parameter) =>
        given.TryGetValue(parameter.Name, out var values) ? values : null;
}
