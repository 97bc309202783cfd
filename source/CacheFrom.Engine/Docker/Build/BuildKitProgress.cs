namespace CacheFrom.Docker.Build;

/// <summary>
/// Folds BuildKit status messages into one view: vertexes merged by digest (they repeat with
/// more fields set), each step's output, and the step that failed.
/// </summary>
internal sealed class BuildKitProgress(IReadOnlyList<string> stageLabels)
{
    public BuildKitProgress()
        : this([])
    {
    }

    private readonly Dictionary<string, Vertex> _vertexes = new(StringComparer.Ordinal);
    private readonly List<Vertex> _order = [];

    /// <summary>Applies one status; returns the output lines it carried (for the Debug log).</summary>
    public IReadOnlyList<string> Apply(BuildKitStatus status)
    {
        foreach (var update in status.Vertexes)
        {
            if (!_vertexes.TryGetValue(update.Digest, out var vertex))
            {
                vertex = new Vertex();
                _vertexes.Add(update.Digest, vertex);
                _order.Add(vertex);
            }

            vertex.Merge(update);
        }

        foreach (var progress in status.Statuses)
        {
            // "resolve IMAGE@sha256:…" reads the image's metadata; on the containerd image store it is
            // reported for a local base image too. Only a layer's progress means a fetch.
            if (_vertexes.GetValueOrDefault(progress.VertexDigest) is { } vertex && !progress.Id.StartsWith("resolve ", StringComparison.Ordinal))
                vertex.Fetched = true;
        }

        var lines = new List<string>();
        foreach (var log in status.Logs)
        {
            var vertex = _vertexes.GetValueOrDefault(log.VertexDigest);
            foreach (var line in log.Message.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (trimmed.Length == 0)
                    continue;
                vertex?.Output.Add(trimmed);
                lines.Add(vertex?.Step is { } step ? $"[{StageOf(step)} {step.Number}/{step.Total}] {trimmed}" : trimmed);
            }
        }

        return lines;
    }

    /// <summary>Dockerfile steps in Dockerfile order (BuildKit reports stages in parallel); its own vertexes left out.</summary>
    public IReadOnlyList<BuildInstruction> Instructions =>
        _order
            .Where(v => v.Step is not null)
            .OrderBy(v => StageIndex(StageOf(v.Step!)))
            .ThenBy(v => v.Step!.Number)
            .Select(v => new BuildInstruction(StageOf(v.Step!), v.Step!.Text, v.IsCached, v.Duration))
            .ToList();

    /// <summary>
    /// The vertex whose error caused the failure, or null. When one vertex fails BuildKit cancels the
    /// others in flight and marks them errored too (<c>…: context canceled</c>), and a vertex seen
    /// earlier may be one of those (seen on 20.10 and 26.1 with a slow stage beside a failing one).
    /// So: not a cancellation, then the error the build ended with (<paramref name="streamError"/>
    /// holds it, sometimes wrapped: <c>failed to compute cache key: …</c>), then a Dockerfile step
    /// over BuildKit's own work, then the vertex that failed first.
    /// </summary>
    public (string Name, BuildKitStepName? Step, string Error, IReadOnlyList<string> Output)? Failed(string? streamError) =>
        _order
            .Where(v => v.Error is not null)
            .OrderBy(v => IsCancellation(v.Error!))
            .ThenByDescending(v => streamError is not null && (streamError.Contains(v.Error!, StringComparison.Ordinal) || v.Error!.Contains(streamError, StringComparison.Ordinal)))
            .ThenByDescending(v => v.Step is not null)
            .ThenBy(v => v.Completed ?? DateTimeOffset.MaxValue)
            .Select(v => ((string Name, BuildKitStepName? Step, string Error, IReadOnlyList<string> Output)?)(v.Name, v.Step, v.Error!, v.Output.Lines))
            .FirstOrDefault();

    private static bool IsCancellation(string error) =>
        error.EndsWith("context canceled", StringComparison.Ordinal) || error.EndsWith("context cancelled", StringComparison.Ordinal);

    /// <summary>For the periodic progress line: steps done, steps known, and the one running.</summary>
    public (int Done, int Known, string? Running) Summary
    {
        get
        {
            var steps = _order.Where(v => v.Step is not null).ToList();
            var running = _order.LastOrDefault(v => v.Started is not null && v.Completed is null);
            return (steps.Count(v => v.Completed is not null), steps.Count, running?.Name);
        }
    }

    // BuildKit leaves the stage out of step names when the Dockerfile has a single stage.
    private string StageOf(BuildKitStepName step) =>
        step.Stage.Length > 0 ? step.Stage : stageLabels.Count == 1 ? stageLabels[0] : "stage-0";

    private int StageIndex(string stage)
    {
        for (var i = 0; i < stageLabels.Count; i++)
        {
            if (string.Equals(stageLabels[i], stage, StringComparison.OrdinalIgnoreCase))
                return i;
        }

        // Not in the Dockerfile as we read it: after the known stages, in the order BuildKit reported them.
        return stageLabels.Count;
    }

    /// <summary>The stage a failed step belongs to (named the way <see cref="Instructions"/> name it).</summary>
    public string StageOfStep(BuildKitStepName step) => StageOf(step);

    private sealed class Vertex
    {
        public bool Fetched { get; set; }

        // A FROM does no work unless it fetches the image; BuildKit may still call it uncached.
        public bool IsCached => Cached || (Step is { } step && step.Text.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase) && !Fetched);

        public string Name { get; private set; } = "";

        public BuildKitStepName? Step { get; private set; }

        public bool Cached { get; private set; }

        public DateTimeOffset? Started { get; private set; }

        public DateTimeOffset? Completed { get; private set; }

        public string? Error { get; private set; }

        public OutputTail Output { get; } = new();

        public TimeSpan Duration =>
            Started is { } started && Completed is { } completed && completed > started ? completed - started : TimeSpan.Zero;

        public void Merge(BuildKitVertex update)
        {
            if (update.Name.Length > 0 && update.Name != Name)
            {
                Name = update.Name;
                Step = BuildKitStepName.TryParse(update.Name);
            }

            Cached |= update.Cached;
            if (update.Started is { } started && (Started is null || started < Started))
                Started = started;
            if (update.Completed is { } completed && (Completed is null || completed > Completed))
                Completed = completed;
            Error ??= update.Error;
        }
    }
}
