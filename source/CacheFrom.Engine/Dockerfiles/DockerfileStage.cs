namespace CacheFrom.Dockerfiles;

/// <summary>One <c>FROM</c> block of a Dockerfile.</summary>
public sealed class DockerfileStage
{
    internal DockerfileStage(int index, string? name, string baseImage, IReadOnlyList<string> dependsOn, int line)
    {
        Index = index;
        Name = name;
        BaseImage = baseImage;
        DependsOn = dependsOn;
        Line = line;
    }

    public int Index { get; }

    /// <summary>The <c>AS</c> name, or null for an unnamed stage.</summary>
    public string? Name { get; }

    /// <summary>The name builders report: the <c>AS</c> name, else <c>stage-N</c>.</summary>
    public string Label => Name ?? $"stage-{Index}";

    /// <summary>The <c>FROM</c> image after <c>ARG</c> substitution (may name an earlier stage).</summary>
    public string BaseImage { get; }

    /// <summary>Labels of earlier stages this one uses: its base, <c>COPY --from</c>, <c>RUN --mount=from</c>.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>1-based line of the <c>FROM</c> instruction.</summary>
    public int Line { get; }
}
