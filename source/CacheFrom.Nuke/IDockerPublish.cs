using CacheFrom.Recording;
using CacheFrom.Reporting;
using JetBrains.Annotations;
using Nuke.Common;

namespace CacheFrom.Nuke;

/// <summary>
/// The Docker build-cache targets, one engine call each, in the order <see cref="DockerPublish"/>
/// runs them: <see cref="LoadTarball"/>, <see cref="ResolveCache"/>, <see cref="BuildBuilderStage"/>,
/// <see cref="BuildFinalStage"/>, <see cref="PushAll"/>, <see cref="SaveTarball"/>. Running any one
/// runs what it needs and nothing more; a target whose mode is off (tarball steps in registry mode,
/// PushAll without docker-push) is skipped, not failed. Compose it with your own targets, e.g.
/// <c>Target Deploy => _ => _.DependsOn&lt;IDockerPublish&gt;(x => x.DockerPublish)</c>.
/// </summary>
[PublicAPI]
public interface IDockerPublish : IHazDockerCache
{
    Target LoadTarball => _ => _
        .Description("Loads the stage images from the tarball store (docker-cache tarball or both)")
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, PipelineStep.LoadTarball), "docker-cache uses tarballs")
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.LoadTarball));

    Target ResolveCache => _ => _
        .Description("Picks each stage's best existing cache image: this tag, then each docker-cache-fallback tag")
        .DependsOn(LoadTarball)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, PipelineStep.ResolveCache), "docker-cache is not none")
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.ResolveCache));

    Target BuildBuilderStage => _ => _
        .Description("Builds each intermediate stage with --target, cached from its winner and earlier stages")
        .DependsOn(ResolveCache)
        .Requires(() => Image)
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.BuildBuilderStage));

    Target BuildFinalStage => _ => _
        .Description("Builds the final image, cached from every stage image (builder first)")
        .DependsOn(BuildBuilderStage)
        .Requires(() => Image)
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.BuildFinalStage));

    Target PushAll => _ => _
        .Description("Pushes the final and stage images (docker-push)")
        .DependsOn(BuildFinalStage)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, PipelineStep.PushAll), "docker-push is true")
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.PushAll));

    Target SaveTarball => _ => _
        .Description("Saves the final and stage images into the tarball store, atomically (docker-cache tarball or both)")
        .DependsOn(BuildFinalStage)
        .After(PushAll)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, PipelineStep.SaveTarball), "docker-cache uses tarballs")
        .Produces(DockerCacheDirectory / "**" / "*.tar")
        .Executes(() => DockerCacheRun.RunStepAsync(this, PipelineStep.SaveTarball));

    Target DockerPublish => _ => _
        .Description("The whole pipeline (load, resolve, build the stages, push, save; steps whose mode is off are skipped), then the run's report")
        .DependsOn(LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll, SaveTarball)
        .Requires(() => Image)
        .Produces(
            DockerCacheReportDirectory / ReportWriter.JsonFileName,
            DockerCacheReportDirectory / ReportWriter.MarkdownFileName,
            DockerCacheReportDirectory / ReportWriter.HtmlFileName,
            DockerCacheReportDirectory / "run.json")
        .Executes(() => DockerCacheRun.WriteReportAsync(this));
}
