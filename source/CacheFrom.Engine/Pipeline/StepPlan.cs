using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

/// <summary>Which steps a run's settings switch on: the skip rules every host shares.</summary>
public static class StepPlan
{
    public static bool IsEnabled(CacheFromSettings settings, PipelineStep step) => SkipReason(settings, step) is null;

    /// <summary>Why the step does not run with these settings, or null when it does.</summary>
    public static string? SkipReason(CacheFromSettings settings, PipelineStep step)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return step switch
        {
            PipelineStep.LoadTarball or PipelineStep.SaveTarball when !settings.UsesTarball =>
                $"docker-cache is {Name(settings.Cache)}, not tarball or both",
            PipelineStep.ResolveCache when settings.Cache == CacheMode.None => "docker-cache is none",
            PipelineStep.PushAll when !settings.Push => "docker-push is false",
            _ => null,
        };
    }

    private static string Name(CacheMode mode) => mode.ToString().ToLowerInvariant();
}
