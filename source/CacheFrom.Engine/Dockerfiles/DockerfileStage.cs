namespace CacheFrom.Dockerfiles;

/// <summary>One <c>FROM</c> block of a Dockerfile.</summary>
public sealed class DockerfileStage
{
    internal DockerfileStage(int index, string? name, string baseImage, IReadOnlyList<string> dependsOn, IReadOnlyList<DockerfileInstruction> instructions)
    {
        Index = index;
        Name = name;
        BaseImage = baseImage;
        DependsOn = dependsOn;
        Instructions = instructions;
    }

    public int Index { get; }

    /// <summary>The <c>AS</c> name, lower-cased as builders do, or null for an unnamed stage.</summary>
    public string? Name { get; }

    /// <summary>The name builders report: the <c>AS</c> name, else <c>stage-N</c>.</summary>
    public string Label => Name ?? $"stage-{Index}";

    /// <summary>The <c>FROM</c> image after <c>ARG</c> substitution (may name an earlier stage, or be <c>scratch</c>).</summary>
    public string BaseImage { get; }

    /// <summary>Labels of the other stages this one uses: its base, <c>COPY --from</c>, <c>RUN --mount=from</c>.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>The stage's instructions in order, its <c>FROM</c> first.</summary>
    public IReadOnlyList<DockerfileInstruction> Instructions { get; }

    /// <summary>The <c>FROM</c> instruction.</summary>
    public DockerfileInstruction From => Instructions[0];

    /// <summary>1-based line of the <c>FROM</c> instruction.</summary>
    public int Line => From.Line;
}
