using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Hosting;

/// <summary>
/// One target of the host contract: its name on every host (NUKE target, Cake task), the tool's
/// verb, what it does, what it needs, and when it is skipped. <see cref="Step"/> is null for the
/// composite <c>DockerPublish</c>, which runs the others and writes the report.
/// </summary>
public sealed class StepDefinition
{
    private readonly Func<CacheFromSettings, string?> _skipReason;

    internal StepDefinition(
        string name,
        PipelineStep? step,
        string description,
        IReadOnlyList<string> dependsOn,
        IReadOnlyList<string>? after = null,
        string? runsWhen = null,
        Func<CacheFromSettings, string?>? skipReason = null,
        string? verb = null)
    {
        Name = name;
        Verb = verb ?? string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
        Step = step;
        Description = description;
        DependsOn = dependsOn;
        After = after ?? [];
        RunsWhen = runsWhen;
        _skipReason = skipReason ?? (_ => null);
    }

    /// <summary>The target and task name: <c>ResolveCache</c>.</summary>
    public string Name { get; }

    /// <summary>The dotnet tool's verb: <c>resolve-cache</c>.</summary>
    public string Verb { get; }

    public PipelineStep? Step { get; }

    /// <summary>One line for the target list, the task list and <c>--help</c>.</summary>
    public string Description { get; }

    /// <summary>Targets that run first when this one runs (NUKE <c>DependsOn</c>, Cake <c>IsDependentOn</c>).</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>Targets that, when they run too, run before this one without being needed (NUKE <c>After</c>).</summary>
    public IReadOnlyList<string> After { get; }

    /// <summary>The condition under which the step runs, in words (<c>docker-cache is tarball or both</c>); null: always.</summary>
    public string? RunsWhen { get; }

    /// <summary>Why the step is skipped with these settings, or null when it runs.</summary>
    public string? SkipReason(CacheFromSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return _skipReason(settings);
    }

    public override string ToString() => Name;
}
