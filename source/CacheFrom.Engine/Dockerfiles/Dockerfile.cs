namespace CacheFrom.Dockerfiles;

/// <summary>A parsed Dockerfile: its stages in order, the last one being the final image.</summary>
public sealed class Dockerfile
{
    internal Dockerfile(string path, IReadOnlyList<DockerfileStage> stages)
    {
        Path = path;
        Stages = stages;
    }

    public string Path { get; }

    public IReadOnlyList<DockerfileStage> Stages { get; }

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
