using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>Builds the final image, with every stage image as cache (builder first).</summary>
internal sealed class BuildFinalStageStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.BuildFinalStage;

    public Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken) =>
        new StageBuilder(context).BuildAsync(context.Stages.Single(s => s.IsFinal), Step, cancellationToken);
}
