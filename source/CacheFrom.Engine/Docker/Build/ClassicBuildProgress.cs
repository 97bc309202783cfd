using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.Docker.Build;

/// <summary>
/// Follows the classic builder's <c>stream</c> messages: <c>Step N/M : INSTR</c> starts a step,
/// <c> ---&gt; Using cache</c> marks it cached, <c>FROM x AS name</c> starts a stage.
/// A RUN's output can print those very lines, so they count only outside a container's output:
/// the builder announces it with <c> ---&gt; Running in ID</c> and ends it with a message of its own,
/// <c>Removing intermediate container ID</c> (20.10) or <c> ---&gt; Removed intermediate container ID</c>
/// (26.1), always a separate message (seen on both engines). Output arrives in arbitrary pieces,
/// so lines are assembled before they are read.
/// </summary>
internal sealed partial class ClassicBuildProgress(TimeProvider timeProvider)
{
    private readonly StringBuilder _pending = new();
    private readonly List<BuildInstruction> _finished = [];
    private Step? _current;
    private string? _container;
    private int _stageCount;
    private string _stage = "stage-0";

    /// <summary>The last <c>Step N/M : …</c> seen, e.g. for a failure message.</summary>
    public string? CurrentStepLine => _current?.Line;

    public string? CurrentInstruction => _current?.Text;

    public string? CurrentStage => _current?.Stage;

    /// <summary>The current step's output (its <c>Step</c> line first), for a failure.</summary>
    public IReadOnlyList<string> CurrentOutput => _current?.Output.Lines ?? [];

    public (int Done, int Total) Summary => (_finished.Count, _current?.Total ?? 0);

    /// <summary>Takes one <c>stream</c> message (message boundaries matter); returns the complete lines it finished.</summary>
    public IReadOnlyList<string> Append(string text)
    {
        var lines = new List<string>();
        if (_container is { } container && IsContainerEnd(text, container))
        {
            // The output may end without a line break: what is pending is its last line.
            Flush(lines, builder: false);
            _container = null;
            Collect(text, lines, builder: true);
            return lines;
        }

        Collect(text, lines, builder: _container is null);
        return lines;
    }

    private void Collect(string text, List<string> lines, bool builder)
    {
        _pending.Append(text);
        var all = _pending.ToString();
        var lastBreak = all.LastIndexOf('\n');
        if (lastBreak < 0)
            return;
        _pending.Clear().Append(all[(lastBreak + 1)..]);
        foreach (var raw in all[..lastBreak].Split('\n'))
            Line(raw, lines, builder);
    }

    private void Flush(List<string> lines, bool builder)
    {
        if (_pending.Length == 0)
            return;
        var rest = _pending.ToString();
        _pending.Clear();
        Line(rest, lines, builder);
    }

    private void Line(string raw, List<string> lines, bool builder)
    {
        var line = raw.TrimEnd('\r');
        if (line.Length == 0)
            return;
        if (builder)
            Read(line);
        else
            _current?.Output.Add(line);
        lines.Add(line);
    }

    private static bool IsContainerEnd(string message, string container) =>
        message == $"Removing intermediate container {container}\n" || message == $" ---> Removed intermediate container {container}\n";

    /// <summary>A pull while a FROM step runs means the base image was not cached locally.</summary>
    public void SawPull()
    {
        if (_current is not null)
            _current.Pulled = true;
    }

    /// <summary>Ends the last step (stream finished): every instruction, in order.</summary>
    public IReadOnlyList<BuildInstruction> Complete(bool succeeded)
    {
        Flush([], builder: _container is null);
        if (succeeded)
            Finish();
        return [.. _finished];
    }

    private void Read(string line)
    {
        var step = StepPattern().Match(line);
        if (step.Success)
        {
            Finish();
            var text = step.Groups["text"].Value.Trim();
            var from = FromPattern().Match(text);
            if (from.Success)
            {
                _stage = from.Groups["name"].Success ? from.Groups["name"].Value.ToLowerInvariant() : $"stage-{_stageCount}";
                _stageCount++;
            }

            _current = new Step(line, _stage, text, int.Parse(step.Groups["total"].Value, CultureInfo.InvariantCulture), timeProvider.GetTimestamp(), from.Success, global: _stageCount == 0);
            _current.Output.Add(line);
            return;
        }

        if (_current is null)
            return;
        _current.Output.Add(line);
        if (line == " ---> Using cache")
            _current.Cached = true;
        else if (RunningIn().Match(line) is { Success: true } running)
            _container = running.Groups["id"].Value;
    }

    private void Finish()
    {
        if (_current is null)
            return;
        var step = _current;
        _current = null;
        // ARGs before the first FROM belong to no stage, and BuildKit does not report them either.
        if (step.Global)
            return;
        // FROM does no work of its own unless it pulls: report it cached like BuildKit does.
        var cached = step.Cached || (step.IsFrom && !step.Pulled);
        _finished.Add(new BuildInstruction(step.Stage, step.Text, cached, timeProvider.GetElapsedTime(step.StartedAt)));
    }

    [GeneratedRegex(@"^Step (?<number>\d+)/(?<total>\d+) : (?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"^ ---> Running in (?<id>[0-9a-f]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RunningIn();

    [GeneratedRegex(@"^FROM\s+(?:--\S+\s+)*\S+(?:\s+AS\s+(?<name>\S+))?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    private sealed class Step(string line, string stage, string text, int total, long startedAt, bool isFrom, bool global)
    {
        public bool Global { get; } = global;

        public string Line { get; } = line;

        public string Stage { get; } = stage;

        public string Text { get; } = text;

        public int Total { get; } = total;

        public long StartedAt { get; } = startedAt;

        public bool IsFrom { get; } = isFrom;

        public bool Cached { get; set; }

        public bool Pulled { get; set; }

        public OutputTail Output { get; } = new();
    }
}
