using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Builds each intermediate stage the final image needs with <c>--target</c>, in Dockerfile order;
/// a stage whose inputs are unchanged since its cache image was built is not built (<see cref="StageSkip"/>).
/// </summary>
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
        {
            if (!await StageSkip.TrySkipAsync(context, stage, record, cancellationToken).ConfigureAwait(false))
                await builder.BuildAsync(stage, Step, cancellationToken).ConfigureAwait(false);
        }
    }
}
