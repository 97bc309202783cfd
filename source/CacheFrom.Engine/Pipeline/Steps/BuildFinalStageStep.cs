using CacheFrom.Recording;

namespace CacheFrom.Pipeline.Steps;

/// <summary>
/// Builds the final image, with every stage image as cache (builder first); not at all when its
/// inputs are unchanged since its cache image was built (<see cref="StageSkip"/>).
/// </summary>
internal sealed class BuildFinalStageStep : IPipelineStep
{
    public PipelineStep Step => PipelineStep.BuildFinalStage;

    public async Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken)
    {
        var final = context.Stages.Single(s => s.IsFinal);
        if (!await StageSkip.TrySkipAsync(context, final, record, cancellationToken).ConfigureAwait(false))
            await new StageBuilder(context).BuildAsync(final, Step, cancellationToken).ConfigureAwait(false);
    }
}
