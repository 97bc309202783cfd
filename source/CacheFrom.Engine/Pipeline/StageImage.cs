using CacheFrom.Dockerfiles;
using CacheFrom.References;

namespace CacheFrom.Pipeline;

/// <summary>A stage that gets an image of its own: this build's reference and its cache candidates, best first.</summary>
internal sealed record StageImage(DockerfileStage Stage, bool IsFinal, ImageReference Image, IReadOnlyList<ImageReference> Candidates)
{
    public string Name => IsFinal ? "final" : Stage.Label;

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
