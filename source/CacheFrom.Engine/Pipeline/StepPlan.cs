using CacheFrom.Configuration;
using CacheFrom.Hosting;
using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

/// <summary>Which steps a run's settings switch on: the skip rules of <see cref="CacheFromStepTable"/>.</summary>
public static class StepPlan
{
    public static bool IsEnabled(CacheFromSettings settings, PipelineStep step) => SkipReason(settings, step) is null;

    /// <summary>Why the step does not run with these settings, or null when it does.</summary>
    public static string? SkipReason(CacheFromSettings settings, PipelineStep step) =>
        CacheFromStepTable.For(step).SkipReason(settings);
}
