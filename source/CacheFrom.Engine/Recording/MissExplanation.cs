using System.Text.Json.Serialization;

namespace CacheFrom.Recording;

/// <summary>
/// Why a built instruction missed the cache: its fingerprint's inputs against those recorded for
/// the stage's winning cache image. <see cref="Summary"/> is the one line the reports print.
/// </summary>
public sealed class MissExplanation
{
    /// <summary>Changed paths named at most; the rest are counted in <see cref="MorePaths"/>.</summary>
    public const int MaxPaths = 10;

    [JsonConstructor]
    public MissExplanation(MissKind kind, IReadOnlyList<MissKind> reasons, string summary, IReadOnlyList<string> paths, int morePaths, IReadOnlyList<string> args, int? earlierLine)
    {
        Kind = kind;
        Reasons = reasons;
        Summary = summary;
        Paths = paths;
        MorePaths = morePaths;
        Args = args;
        EarlierLine = earlierLine;
    }

    /// <summary>The main reason (the first of <see cref="Reasons"/>).</summary>
    public MissKind Kind { get; }

    /// <summary>Every reason found, main first (an instruction can change and read a changed build arg).</summary>
    public IReadOnlyList<MissKind> Reasons { get; }

    /// <summary>One line, e.g. <c>files changed: app/greeting.txt</c>.</summary>
    public string Summary { get; }

    /// <summary>Context paths that changed, appeared or went away (<c>dir/</c>: something below it), at most <see cref="MaxPaths"/>.</summary>
    public IReadOnlyList<string> Paths { get; }

    public int MorePaths { get; }

    /// <summary>Names of build args whose value changed (never the values).</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>For <see cref="MissKind.EarlierStepMissed"/>: the Dockerfile line of the earlier step that changed.</summary>
    public int? EarlierLine { get; }

    internal static MissExplanation Simple(MissKind kind, string summary) => new(kind, [kind], summary, [], 0, [], null);

    public override string ToString() => Summary;
}
