using CacheFrom.Dockerfiles;
using CacheFrom.References;

namespace CacheFrom.Pipeline;

/// <summary>A stage that gets an image of its own: this build's reference and its cache candidates, best first.</summary>
internal sealed record StageImage(DockerfileStage Stage, bool IsFinal, ImageReference Image, IReadOnlyList<ImageReference> Candidates)
{
    /// <summary>The stage as the Dockerfile names it; an unnamed last stage is <c>final</c>.</summary>
    public string Name => NameOf(Stage, IsFinal);

    /// <summary>
    /// The name the record and the reports use for a stage the builder calls <paramref name="label"/>
    /// (BuildKit says <c>stage-1</c> for an unnamed stage): the Dockerfile's name, <c>final</c> for
    /// an unnamed last stage, else the label.
    /// </summary>
    public static string ReportName(Dockerfile dockerfile, string label)
    {
        var stage = dockerfile.Stages.FirstOrDefault(s => string.Equals(s.Label, label, StringComparison.OrdinalIgnoreCase));
        return stage is null ? label : NameOf(stage, stage == dockerfile.FinalStage);
    }

    private static string NameOf(DockerfileStage stage, bool isFinal) => stage.Name ?? (isFinal ? "final" : stage.Label);

    /// <summary>Named intermediate stages (builder first, in Dockerfile order), then the final stage.</summary>
    public static IReadOnlyList<StageImage> Plan(Dockerfile dockerfile, ImageReference image, IReadOnlyList<string> fallbackTags)
    {
        var tags = new[] { image.Tag }.Concat(fallbackTags).ToList();
        var result = new List<StageImage>();
        foreach (var stage in dockerfile.IntermediateStages)
        {
            result.Add(new StageImage(
                stage,
                IsFinal: false,
                image.WithTag(StageTagScheme.StageTag(image.Tag, stage.Label)),
                tags.Select(t => image.WithTag(StageTagScheme.StageTag(t, stage.Label))).ToList()));
        }

        result.Add(new StageImage(dockerfile.FinalStage, IsFinal: true, image, tags.Select(image.WithTag).ToList()));
        return result;
    }
}
