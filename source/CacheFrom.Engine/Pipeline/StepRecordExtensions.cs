using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

internal static class StepRecordExtensions
{
    /// <summary>Marks the step as having gone on without (part of) its cache; keeps the first reason.</summary>
    public static void Degrade(this StepRecord record, string reason)
    {
        record.Outcome = StepOutcome.Degraded;
        record.Message = record.Message is null ? reason : $"{record.Message}; {reason}";
    }
}
