using System.Diagnostics;
using CacheFrom.Recording;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>
/// Runs a step with what every step needs: the skip rules, one log line at start and end,
/// timing, the outcome in the record, and the record persisted whatever happens.
/// </summary>
internal sealed class StepRunner(RunContext context, RunRecordStore store)
{
    public async Task RunAsync(IPipelineStep step, CancellationToken cancellationToken)
    {
        // Running a step twice in one process means a new run (e.g. a second publish in a test or a watch loop).
        if (context.Record.Steps.Any(s => s.Step == step.Step))
            context.Record = RunRecordStore.Start(context.Settings, context.Stages);

        var logger = context.Logger;
        context.Lint.RecordOnce(context.Record, logger);
        var record = new StepRecord(step.Step) { StartedAt = DateTimeOffset.UtcNow };
        context.Record.Steps.Add(record);

        if (StepPlan.SkipReason(context.Settings, step.Step) is { } reason)
        {
            record.Outcome = StepOutcome.Skipped;
            record.Message = reason;
            logger.Information("{Step} skipped: {Reason}", step.Step, reason);
            await store.SaveAsync(context.Record, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        logger.Information("{Step} started", step.Step);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            if (step.Step is PipelineStep.ResolveCache or PipelineStep.BuildBuilderStage or PipelineStep.BuildFinalStage)
                await ContinuedTarballServing.ResumeAsync(context, cancellationToken).ConfigureAwait(false);
            await step.ExecuteAsync(context, record, cancellationToken).ConfigureAwait(false);
            record.Duration = stopwatch.Elapsed;
            if (record.Outcome == StepOutcome.Degraded)
                logger.Warning("{Step} finished in {Seconds:0.0} s without its cache: {Reason}", step.Step, record.Duration.TotalSeconds, record.Message);
            else
                logger.Information("{Step} finished in {Seconds:0.0} s", step.Step, record.Duration.TotalSeconds);
        }
        catch (Exception exception)
        {
            record.Duration = stopwatch.Elapsed;
            record.Outcome = StepOutcome.Failed;
            record.Message = exception is OperationCanceledException ? "cancelled" : exception.Message;
            logger.Error("{Step} failed after {Seconds:0.0} s: {Reason}", step.Step, record.Duration.TotalSeconds, record.Message);
            throw;
        }
        finally
        {
            await store.SaveAsync(context.Record, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
