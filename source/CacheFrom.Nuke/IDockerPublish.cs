using CacheFrom.Hosting;
using CacheFrom.Reporting;
using JetBrains.Annotations;
using Nuke.Common;

namespace CacheFrom.Nuke;

/// <summary>
/// The Docker build-cache targets, one engine call each, in the order <see cref="DockerPublish"/>
/// runs them: <see cref="LoadTarball"/>, <see cref="ResolveCache"/>, <see cref="BuildBuilderStage"/>,
/// <see cref="BuildFinalStage"/>, <see cref="PushAll"/>, <see cref="SaveTarball"/>; apart from them,
/// <see cref="PruneCache"/> deletes the cache of idle branches (a dry run unless docker-prune-apply). Running any one
/// runs what it needs and nothing more; a target whose mode is off (tarball steps in registry mode,
/// PushAll without docker-push) is skipped, not failed. Names, descriptions, dependencies and skip
/// rules are the engine's <see cref="CacheFromStepTable"/> (a test holds the two together); every
/// target of one build shares one run (<see cref="DockerCacheRun"/>). Compose it with your own targets, e.g.
/// <c>Target Deploy => _ => _.DependsOn&lt;IDockerPublish&gt;(x => x.DockerPublish)</c>.
/// </summary>
[PublicAPI]
public interface IDockerPublish : IHazDockerCache
{
    Target LoadTarball => _ => _
        .Description(CacheFromStepTable.LoadTarball.Description)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, CacheFromStepTable.LoadTarball), CacheFromStepTable.LoadTarball.RunsWhen)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.LoadTarball));

    Target ResolveCache => _ => _
        .Description(CacheFromStepTable.ResolveCache.Description)
        .DependsOn(LoadTarball)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, CacheFromStepTable.ResolveCache), CacheFromStepTable.ResolveCache.RunsWhen)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.ResolveCache));

    Target BuildBuilderStage => _ => _
        .Description(CacheFromStepTable.BuildBuilderStage.Description)
        .DependsOn(ResolveCache)
        .Requires(() => Image)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.BuildBuilderStage));

    Target BuildFinalStage => _ => _
        .Description(CacheFromStepTable.BuildFinalStage.Description)
        .DependsOn(BuildBuilderStage)
        .Requires(() => Image)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.BuildFinalStage));

    Target PushAll => _ => _
        .Description(CacheFromStepTable.PushAll.Description)
        .DependsOn(BuildFinalStage)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, CacheFromStepTable.PushAll), CacheFromStepTable.PushAll.RunsWhen)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.PushAll));

    Target SaveTarball => _ => _
        .Description(CacheFromStepTable.SaveTarball.Description)
        .DependsOn(BuildFinalStage)
        .After(PushAll)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, CacheFromStepTable.SaveTarball), CacheFromStepTable.SaveTarball.RunsWhen)
        .Produces(DockerCacheDirectory / "**" / "*.tar")
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.SaveTarball));

    Target DockerPublish => _ => _
        .Description(CacheFromStepTable.DockerPublish.Description)
        .DependsOn(LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll, SaveTarball)
        .Requires(() => Image)
        .Produces(
            DockerCacheReportDirectory / ReportWriter.JsonFileName,
            DockerCacheReportDirectory / ReportWriter.MarkdownFileName,
            DockerCacheReportDirectory / ReportWriter.HtmlFileName,
            DockerCacheReportDirectory / "run.json")
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.DockerPublish));

    Target PruneCache => _ => _
        .Description(CacheFromStepTable.PruneCache.Description)
        .After(PushAll, SaveTarball, DockerPublish)
        .Requires(() => Image)
        .OnlyWhenDynamic(() => DockerCacheRun.IsEnabled(this, CacheFromStepTable.PruneCache), CacheFromStepTable.PruneCache.RunsWhen)
        .Executes(() => DockerCacheRun.RunAsync(this, CacheFromStepTable.PruneCache));
}
