using CacheFrom.Recording;

namespace CacheFrom.Fingerprints;

/// <summary>
/// A stage of this run against its winning cache image: whether its inputs are those the winner
/// was built from (<see cref="Unchanged"/>: the stage need not be built), and if not, why
/// (<see cref="Change"/>), with the same per instruction (<see cref="Instructions"/>, by position; null = unchanged).
/// </summary>
internal sealed record StageComparison(
    string Stage,
    string? Fingerprint,
    string? Winner,
    string? WinnerFingerprint,
    IReadOnlyList<MissExplanation?> Instructions,
    MissExplanation? Change)
{
    /// <summary>True only when this run's fingerprint is known and equals the one the winner carries.</summary>
    public bool Unchanged => Fingerprint is not null && Fingerprint == WinnerFingerprint;
}
