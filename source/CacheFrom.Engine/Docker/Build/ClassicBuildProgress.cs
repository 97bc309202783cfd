using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.Docker.Build;

/// <summary>
/// Follows the classic builder's <c>stream</c> text: <c>Step N/M : INSTR</c> starts a step,
/// <c> ---&gt; Using cache</c> marks it cached, <c>FROM x AS name</c> starts a stage. The text
/// arrives in arbitrary pieces, so lines are assembled before they are read.
/// </summary>
internal sealed partial class ClassicBuildProgress(TimeProvider timeProvider)
{
    private readonly StringBuilder _pending = new();
    private readonly List<BuildInstruction> _finished = [];
    private Step? _current;
    private int _stageCount;
    private string _stage = "stage-0";

    /// <summary>The last <c>Step N/M : …</c> seen, e.g. for a failure message.</summary>
    public string? CurrentStepLine => _current?.Line;

    public string? CurrentInstruction => _current?.Text;

    public string? CurrentStage => _current?.Stage;

    /// <summary>The current step's output (its <c>Step</c> line first), for a failure.</summary>
    public IReadOnlyList<string> CurrentOutput => _current?.Output.Lines ?? [];

    public (int Done, int Total) Summary => (_finished.Count, _current?.Total ?? 0);

    /// <summary>Takes a piece of <c>stream</c> text; returns the complete lines it finished.</summary>
    public IReadOnlyList<string> Append(string text)
    {
        _pending.Append(text);
        var all = _pending.ToString();
        var lastBreak = all.LastIndexOf('\n');
        if (lastBreak < 0)
            return [];
        _pending.Clear().Append(all[(lastBreak + 1)..]);

        var lines = new List<string>();
        foreach (var raw in all[..lastBreak].Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            Read(line);
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>A pull while a FROM step runs means the base image was not cached locally.</summary>
    public void SawPull()
    {
        if (_current is not null)
            _current.Pulled = true;
    }

    /// <summary>Ends the last step (stream finished): every instruction, in order.</summary>
    public IReadOnlyList<BuildInstruction> Complete(bool succeeded)
    {
        if (_pending.Length > 0)
            Append("\n");
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
        if (line.Trim().Equals("---> Using cache", StringComparison.Ordinal))
            _current.Cached = true;
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
