using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Hosting;

/// <summary>
/// The targets every host offers, as data: names, descriptions, dependencies and skip rules. NUKE's
/// component and the Cake recipe declare them (tests hold both to this table); the tool has a verb each.
/// </summary>
public static class CacheFromStepTable
{
    private const string TarballModes = "docker-cache is tarball or both";

    public static StepDefinition LoadTarball { get; } = new(
        nameof(PipelineStep.LoadTarball), PipelineStep.LoadTarball,
        "Loads the stage images from the tarball store",
        dependsOn: [],
        runsWhen: TarballModes,
        skipReason: s => s.UsesTarball ? null : $"docker-cache is {Name(s.Cache)}, not tarball or both");

    public static StepDefinition ResolveCache { get; } = new(
        nameof(PipelineStep.ResolveCache), PipelineStep.ResolveCache,
        "Picks each stage's best existing cache image: this tag, then each docker-cache-fallback tag",
        dependsOn: [nameof(PipelineStep.LoadTarball)],
        runsWhen: "docker-cache is not none",
        skipReason: s => s.Cache == CacheMode.None ? "docker-cache is none" : null);

    public static StepDefinition BuildBuilderStage { get; } = new(
        nameof(PipelineStep.BuildBuilderStage), PipelineStep.BuildBuilderStage,
        "Builds each intermediate stage with --target, cached from its winner and earlier stages",
        dependsOn: [nameof(PipelineStep.ResolveCache)]);

    public static StepDefinition BuildFinalStage { get; } = new(
        nameof(PipelineStep.BuildFinalStage), PipelineStep.BuildFinalStage,
        "Builds the final image, cached from every stage image (builder first)",
        dependsOn: [nameof(PipelineStep.BuildBuilderStage)]);

    public static StepDefinition PushAll { get; } = new(
        nameof(PipelineStep.PushAll), PipelineStep.PushAll,
        "Pushes the final image, then the stage images and the cache history",
        dependsOn: [nameof(PipelineStep.BuildFinalStage)],
        runsWhen: "docker-push is true",
        skipReason: s => s.Push ? null : "docker-push is false");

    public static StepDefinition SaveTarball { get; } = new(
        nameof(PipelineStep.SaveTarball), PipelineStep.SaveTarball,
        "Saves the final and stage images into the tarball store, atomically",
        dependsOn: [nameof(PipelineStep.BuildFinalStage)],
        after: [nameof(PipelineStep.PushAll)],
        runsWhen: TarballModes,
        skipReason: s => s.UsesTarball ? null : $"docker-cache is {Name(s.Cache)}, not tarball or both");

    public static StepDefinition DockerPublish { get; } = new(
        "DockerPublish", step: null,
        "The whole pipeline (steps whose mode is off are skipped), then the run's report",
        dependsOn:
        [
            nameof(PipelineStep.LoadTarball), nameof(PipelineStep.ResolveCache), nameof(PipelineStep.BuildBuilderStage),
            nameof(PipelineStep.BuildFinalStage), nameof(PipelineStep.PushAll), nameof(PipelineStep.SaveTarball),
        ],
        verb: "publish");

    /// <summary>
    /// Not part of DockerPublish: deletes the cache of branches idle longer than docker-cache-ttl (a dry run
    /// unless docker-prune-apply). Needs no engine; after the pipeline's steps when one invocation runs both.
    /// </summary>
    public static StepDefinition PruneCache { get; } = new(
        "PruneCache", step: null,
        "Deletes the cache-only tags and tarballs of branches last written more than docker-cache-ttl ago (a dry run unless docker-prune-apply)",
        dependsOn: [],
        after: [nameof(PipelineStep.PushAll), nameof(PipelineStep.SaveTarball), "DockerPublish"],
        runsWhen: "docker-cache is not none",
        skipReason: s => s.Cache == CacheMode.None ? "docker-cache is none" : null,
        verb: "prune");

    /// <summary>Every target: the steps in the order DockerPublish runs them, DockerPublish, then PruneCache.</summary>
    public static IReadOnlyList<StepDefinition> All { get; } =
        [LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll, SaveTarball, DockerPublish, PruneCache];

    public static StepDefinition For(PipelineStep step) => All.First(s => s.Step == step);

    /// <summary>The target named <paramref name="name"/> (<c>ResolveCache</c>) or with that verb (<c>resolve-cache</c>), or null.</summary>
    public static StepDefinition? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase) || s.Verb == name);

    private static string Name(CacheMode mode) => mode.ToString().ToLowerInvariant();
}
