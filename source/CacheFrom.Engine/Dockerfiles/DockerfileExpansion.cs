namespace CacheFrom.Dockerfiles;

/// <summary>The result of expanding <c>$X</c> in Dockerfile text, and the variables that result depends on.</summary>
public sealed class DockerfileExpansion
{
    internal DockerfileExpansion(string value, IReadOnlyList<string> variables)
    {
        Value = value;
        Variables = variables;
    }

    public string Value { get; }

    /// <summary>
    /// The variables the expansion looked up, set or not, in order of first use. A default that was not
    /// needed is not read: in <c>${A:-$B}</c> with <c>A</c> set, only <c>A</c> is listed. The value
    /// is a function of these variables' values (and whether they are set) alone.
    /// </summary>
    public IReadOnlyList<string> Variables { get; }

    public override string ToString() => Value;
}
