namespace CacheFrom.Tarballs;

/// <summary>Where an unloadable tarball was set aside (null: it was not), and whether another run had replaced it first.</summary>
internal readonly record struct QuarantineOutcome(string? Aside, bool ReplacedMeanwhile);
