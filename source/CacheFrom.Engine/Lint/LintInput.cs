using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint;

/// <summary>What a rule looks at: the Dockerfile's stages this run builds, the build args passed, the context.</summary>
internal sealed class LintInput
{
    public LintInput(Dockerfile dockerfile, string displayPath, ContextFiles context, IReadOnlyDictionary<string, string> buildArgs, BuilderKind builder)
    {
        Dockerfile = dockerfile;
        DisplayPath = displayPath;
        Context = context;
        BuildArgs = buildArgs;
        Builder = builder;
        Stages = BuiltStages(dockerfile);
    }

    public Dockerfile Dockerfile { get; }

    /// <summary>The Dockerfile as findings name it: relative to the working directory, '/' separators.</summary>
    public string DisplayPath { get; }

    public ContextFiles Context { get; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; }

    public BuilderKind Builder { get; }

    /// <summary>The final stage and every stage it needs, in Dockerfile order: stages this run does not build (a <c>test</c> stage) are not linted.</summary>
    public IReadOnlyList<DockerfileStage> Stages { get; }

    /// <summary>The stage <paramref name="stage"/> is built <c>FROM</c>, when that is an earlier stage of the file.</summary>
    public DockerfileStage? BaseStage(DockerfileStage stage) =>
        Dockerfile.Stages.Take(stage.Index).LastOrDefault(s => string.Equals(s.Label, stage.BaseImage, StringComparison.OrdinalIgnoreCase));

    public LintFinding Finding(DockerfileInstruction instruction, string rule, string message, string fix) =>
        new(DisplayPath, instruction.Line, rule, message, fix);

    /// <summary>An instruction as a finding quotes it: its first 60 characters.</summary>
    public static string Quote(DockerfileInstruction instruction)
    {
        var text = string.Join(' ', instruction.Text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text[..59] + "…";
    }

    private static List<DockerfileStage> BuiltStages(Dockerfile dockerfile)
    {
        var needed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { dockerfile.FinalStage.Label };
        var pending = new Stack<DockerfileStage>([dockerfile.FinalStage]);
        while (pending.Count > 0)
        {
            foreach (var dependency in pending.Pop().DependsOn)
            {
                if (needed.Add(dependency) && dockerfile.Stages.FirstOrDefault(s => string.Equals(s.Label, dependency, StringComparison.OrdinalIgnoreCase)) is { } stage)
                    pending.Push(stage);
            }
        }

        return dockerfile.Stages.Where(s => needed.Contains(s.Label)).ToList();
    }
}
