using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>Builds each intermediate stage the final image needs with <c>--target</c>, in Dockerfile order.</summary>
internal sealed class BuildBuilderStageStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.BuildBuilderStage;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var stages = context.Stages.Where(s => !s.IsFinal).ToList();
        if (stages.Count == 0)
        {
            record.Message = "the Dockerfile has no named intermediate stage the final image uses";
            context.Logger.Information("No intermediate stage to build");
            return;
        }

        var builder = new StageBuilder(context);
        foreach (var stage in stages)
            await builder.BuildAsync(stage, Step, cancellationToken).ConfigureAwait(false);
    }
}
