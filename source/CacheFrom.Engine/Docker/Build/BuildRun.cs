using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Docker.Streams;

namespace CacheFrom.Docker.Build;

/// <summary>
/// The state of one build as its response stream tells it, for either builder: the steps, the
/// reported image id, the errors, and the output a failure carries.
/// </summary>
internal sealed class BuildRun(ImageBuildRequest request, IReadOnlyList<string> stageLabels, TimeProvider time)
{
    private readonly BuildKitProgress _buildKit = new(stageLabels);
    private readonly ClassicBuildProgress _classic = new(time);
    private readonly OutputTail _tail = new();
    private readonly List<string> _errors = [];

    public string? ReportedImageId { get; private set; }

    public (int Done, int Total, string? Running) Summary
    {
        get
        {
            if (request.Builder == BuilderKind.BuildKit)
                return _buildKit.Summary;
            var (done, total) = _classic.Summary;
            return (done, total, _classic.CurrentStepLine);
        }
    }

    /// <summary>Reads one stream message; returns the output lines it carried.</summary>
    public IReadOnlyList<string> Apply(JsonElement message)
    {
        var lines = new List<string>();
        var id = message.GetString("id");
        if (message.TryGetProperty("aux", out var aux))
        {
            if (id == "moby.buildkit.trace" && aux.ValueKind == JsonValueKind.String)
                lines.AddRange(_buildKit.Apply(BuildKitStatus.Parse(aux.GetString()!)));
            else if (aux.ValueKind == JsonValueKind.Object && aux.GetString("ID") is { } imageId)
                ReportedImageId = imageId; // BuildKit: id moby.image.id; classic: the last aux of the build
        }

        if (message.GetString("stream") is { } text)
            lines.AddRange(_classic.Append(text));

        if (message.GetString("status") is { } status)
        {
            // The classic builder pulling a base image.
            _classic.SawPull();
            lines.Add(id is null ? status : $"{id}: {status}");
        }

        if (message.GetError() is { } error)
        {
            _errors.Add(error.Trim());
            lines.Add("ERROR: " + error.Trim());
        }

        foreach (var line in lines)
            _tail.Add(line);
        return lines;
    }

    public IReadOnlyList<BuildInstruction> Instructions() =>
        request.Builder == BuilderKind.BuildKit ? _buildKit.Instructions : _classic.Complete(succeeded: true);

    /// <summary>The exception for a build whose stream reported an error, or null.</summary>
    public ImageBuildFailedException? Failure()
    {
        if (_errors.Count == 0)
            return null;
        var error = _errors[^1];

        if (request.Builder == BuilderKind.BuildKit)
        {
            if (_buildKit.Failed(error) is { } failed)
            {
                if (failed.Step is { } step)
                    return BuildFailures.AtStep(request, _buildKit.StageOfStep(step), $"step {step.Number}/{step.Total}", step.Text, failed.Error, Output(failed.Output));
                return BuildFailures.General(request, $"{failed.Name}: {failed.Error}", Output(failed.Output));
            }

            return BuildFailures.General(request, error, _tail.Lines);
        }

        if (_classic.CurrentInstruction is { } instruction)
        {
            _classic.Complete(succeeded: false);
            var output = _classic.CurrentOutput.Append("ERROR: " + error).TakeLast(OutputTail.DefaultCapacity).ToList();
            var position = _classic.CurrentStepLine is { } line && line.IndexOf(" : ", StringComparison.Ordinal) is var colon and > 0 ? line[..colon] : "a step";
            return BuildFailures.AtStep(request, _classic.CurrentStage ?? "stage-0", position, instruction, error, output);
        }

        return BuildFailures.General(request, error, _tail.Lines);
    }

    // A vertex that failed before writing output: the stream's own last lines say more than nothing.
    private IReadOnlyList<string> Output(IReadOnlyList<string> vertexOutput) => vertexOutput.Count > 0 ? vertexOutput : _tail.Lines;
}
