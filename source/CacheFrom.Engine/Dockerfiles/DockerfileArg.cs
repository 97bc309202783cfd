namespace CacheFrom.Dockerfiles;

/// <summary>One name an <c>ARG</c> declares, with its default as written (quotes and <c>$X</c> not yet processed).</summary>
public sealed class DockerfileArg
{
    internal DockerfileArg(string name, string? defaultValue)
    {
        Name = name;
        Default = defaultValue;
    }

    public string Name { get; }

    /// <summary>The text after <c>=</c>, or null for <c>ARG NAME</c>. Expand it with <see cref="DockerfileSubstitution"/>.</summary>
    public string? Default { get; }

    public override string ToString() => Default is null ? Name : $"{Name}={Default}";
}
