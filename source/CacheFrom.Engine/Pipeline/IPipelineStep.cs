using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

/// <summary>One step of the step contract. It records what it moved on <paramref name="record"/>.</summary>
internal interface IPipelineStep
{
    PipelineStep Step { get; }

    Task ExecuteAsync(RunContext context, StepRecord record, CancellationToken cancellationToken);
}
