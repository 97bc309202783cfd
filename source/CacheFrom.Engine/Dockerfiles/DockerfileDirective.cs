namespace CacheFrom.Dockerfiles;

/// <summary>
/// A parser directive (<c># syntax=…</c>, <c># escape=`</c>, <c># check=…</c>). BuildKit reads them only
/// at the very top: the first empty line, comment that is not a directive, or instruction ends them.
/// </summary>
public sealed class DockerfileDirective
{
    internal DockerfileDirective(string name, string value, int line)
    {
        Name = name;
        Value = value;
        Line = line;
    }

    /// <summary>Lower-case: <c>syntax</c>, <c>escape</c> or <c>check</c>.</summary>
    public string Name { get; }

    public string Value { get; }

    public int Line { get; }

    public override string ToString() => $"# {Name}={Value}";
}
