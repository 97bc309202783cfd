namespace CacheFrom.Dockerfiles;

/// <summary>A parsed Dockerfile: its stages in order, the last one being the final image.</summary>
public sealed class Dockerfile
{
    internal Dockerfile(
        string path,
        IReadOnlyList<DockerfileStage> stages,
        IReadOnlyList<DockerfileDirective> directives,
        IReadOnlyList<DockerfileInstruction> globalArgs,
        IReadOnlyDictionary<string, string> globalScope,
        char escapeCharacter)
    {
        Path = path;
        Stages = stages;
        Directives = directives;
        GlobalArgs = globalArgs;
        GlobalScope = globalScope;
        EscapeCharacter = escapeCharacter;
    }

    public string Path { get; }

    public IReadOnlyList<DockerfileStage> Stages { get; }

    /// <summary>The parser directives at the top (<c>syntax</c>, <c>escape</c>, <c>check</c>), in order.</summary>
    public IReadOnlyList<DockerfileDirective> Directives { get; }

    /// <summary>The <c>ARG</c> instructions before the first <c>FROM</c>.</summary>
    public IReadOnlyList<DockerfileInstruction> GlobalArgs { get; }

    /// <summary>
    /// What those ARGs hold for the <c>FROM</c> lines: the build arg when one was given, else the
    /// expanded default. An ARG with neither is absent (unset), as in BuildKit.
    /// </summary>
    public IReadOnlyDictionary<string, string> GlobalScope { get; }

    /// <summary><c>\</c>, or <c>`</c> under <c># escape=`</c>.</summary>
    public char EscapeCharacter { get; }

    /// <summary>The directive's value (<c>docker/dockerfile:1</c> for <c>syntax</c>), or null.</summary>
    public string? Directive(string name) =>
        Directives.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    public DockerfileStage FinalStage => Stages[^1];

    /// <summary>
    /// The named stages the final image needs (directly or through other stages), in Dockerfile
    /// order: these get <c>--target</c> builds and cache images of their own. Stages the final
    /// image does not use (a <c>test</c> stage, say) are left alone.
    /// </summary>
    public IReadOnlyList<DockerfileStage> IntermediateStages
    {
        get
        {
            var byLabel = Stages.ToDictionary(s => s.Label, StringComparer.OrdinalIgnoreCase);
            var needed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var pending = new Stack<DockerfileStage>([FinalStage]);
            while (pending.Count > 0)
            {
                foreach (var dependency in pending.Pop().DependsOn)
                {
                    if (needed.Add(dependency) && byLabel.TryGetValue(dependency, out var stage))
                        pending.Push(stage);
                }
            }

            return Stages.Where(s => s != FinalStage && s.Name is not null && needed.Contains(s.Label)).ToList();
        }
    }

    public DockerfileStage? FindStage(string name) =>
        Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
