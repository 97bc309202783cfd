namespace CacheFrom.Recording;

public enum StepOutcome
{
    Succeeded,

    /// <summary>Finished, but something optional (a cache) could not be used; the build went on.</summary>
    Degraded,

    /// <summary>Not run: its cache mode is off.</summary>
    Skipped,

    Failed,
}
