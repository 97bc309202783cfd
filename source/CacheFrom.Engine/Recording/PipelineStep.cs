namespace CacheFrom.Recording;

/// <summary>The steps of the pipeline, in the order <c>DockerPublish</c> runs them.</summary>
public enum PipelineStep
{
    LoadTarball,
    ResolveCache,
    BuildBuilderStage,
    BuildFinalStage,
    PushAll,
    SaveTarball,
}
