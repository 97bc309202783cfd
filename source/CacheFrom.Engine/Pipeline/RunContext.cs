using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Docker;
using CacheFrom.Dockerfiles;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Lint;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Resilience;
using CacheFrom.Sessions;
using CacheFrom.Tarballs;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>What every step of one run works with. The run's state itself lives in <see cref="Record"/>.</summary>
internal sealed class RunContext
{
    private (string RunId, RunFingerprints? Fingerprints)? _fingerprints;

    public required CacheFromSettings Settings { get; init; }

    public required DockerEngine Engine { get; init; }

    /// <summary>The registry itself, for what the engine API cannot do (the history artifact, retags).</summary>
    public required RegistryClient Registry { get; init; }

    public required Dockerfile Dockerfile { get; init; }

    public required IReadOnlyList<StageImage> Stages { get; init; }

    public required TarballStore Tarballs { get; init; }

    public IBuildSessionProvider? Sessions { get; init; }

    /// <summary>The preflight lint, done when the pipeline opened; each run's first step records and logs it.</summary>
    public required LintResult Lint { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The loaded tarball served as a registry, when BuildKit cannot read loaded images (the containerd image store); disposed with the pipeline.</summary>
    public TarballRegistry? CacheRegistry { get; set; }

    public required RunRecord Record { get; set; }

    public CacheHistoryStore HistoryStore => new(Logger, TimeProvider.System);

    /// <summary>
    /// The registry winners must be pulled first: the classic builder only uses local images, and
    /// BuildKit without a session has no way to present the registry credentials.
    /// </summary>
    public bool BuilderNeedsLocalImages =>
        Settings.Builder == BuilderKind.Classic || (Settings.Credentials is not null && Sessions is null);

    /// <summary>Bounded retries for registry checks, pulls and pushes (<see cref="CacheFromSettings.Retry"/>).</summary>
    public RetryExecutor Retry => new(Settings.Retry, TimeProvider.System, Logger);

    /// <summary>What history knew before this run, plus this run's cold durations: what the next run reads.</summary>
    public CacheHistory UpdatedHistory() => KnownHistory().Merge(Record);

    /// <summary>What history knew before this run (read by the step that fetched the cache, or none yet).</summary>
    public CacheHistory KnownHistory() => new(Record.History, Record.HistoryFingerprints, Record.HistoryTransfers);

    /// <summary>
    /// Whether the current run's fingerprints were computed in this process; <paramref name="fingerprints"/> is null when
    /// that failed, which is not tried again for the run. A new run computes them again: files may have changed.
    /// </summary>
    public bool FingerprintsComputed(out RunFingerprints? fingerprints)
    {
        var known = _fingerprints is { } kept && kept.RunId == Record.RunId;
        fingerprints = known ? _fingerprints!.Value.Fingerprints : null;
        return known;
    }

    /// <summary>The current run's fingerprints, or null when they could not be computed.</summary>
    public void KeepFingerprints(RunFingerprints? fingerprints) => _fingerprints = (Record.RunId, fingerprints);

    public StageRecord StageRecord(StageImage stage) =>
        Record.Stages.First(s => s.Name == stage.Name);
}
