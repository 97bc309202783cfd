namespace CacheFrom.Fingerprints;

/// <summary>
/// A run's fingerprints: one per stage the final image needs (Dockerfile order), with the context
/// entries each instruction took (kept in memory only, to compare with a recorded summary).
/// </summary>
internal sealed class RunFingerprints
{
    private readonly Dictionary<(string Stage, int Index), IReadOnlyList<ContextEntry>> _taken;

    public RunFingerprints(IReadOnlyList<StageFingerprint> stages, IReadOnlyList<string> missingImages, Dictionary<(string Stage, int Index), IReadOnlyList<ContextEntry>> taken)
    {
        Stages = stages;
        MissingImages = missingImages;
        _taken = taken;
    }

    public IReadOnlyList<StageFingerprint> Stages { get; }

    /// <summary>The target platform the fingerprints are for, e.g. <c>linux/amd64</c>.</summary>
    public string Platform => Stages.Count > 0 ? Stages[0].Platform : "";

    /// <summary>Image names the computation needed but was not given an identity for (they made their instructions unknowable).</summary>
    public IReadOnlyList<string> MissingImages { get; }

    public StageFingerprint? Stage(string name) =>
        Stages.FirstOrDefault(s => string.Equals(s.Stage, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The context entries the instruction took (COPY/ADD sources, bind mounts), in path order.</summary>
    public IReadOnlyList<ContextEntry> Taken(string stage, int index) =>
        _taken.TryGetValue((stage, index), out var entries) ? entries : [];
}
