using CacheFrom.Distribution;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;

namespace CacheFrom.Pipeline;

/// <summary>
/// docker-cache-skip: a stage whose fingerprint equals its winner's is not built; the winner stands
/// for it. Only a comparison this run made counts (<see cref="StageRecord.Compared"/>), and only
/// when the winner can serve as the stage's image where the run needs it: in the engine (a
/// tarball load, or a pull this run made), or in the registry when nothing needs it locally. Then
/// PushAll publishes it under this tag registry-side (<see cref="PublishAsync"/>): nothing when it
/// already is this tag's image, else a manifest copy.
/// </summary>
internal static class StageSkip
{
    private static readonly HashSet<string> BuildKitSteps = new(["RUN", "COPY", "ADD", "WORKDIR"], StringComparer.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="stage"/> is not built: its record says since which candidate, and the step's record says so too.</summary>
    public static async Task<bool> TrySkipAsync(RunContext context, StageImage stage, StepRecord step, CancellationToken cancellationToken)
    {
        var record = context.StageRecord(stage);
        record.SkippedSince = null;
        if (!record.Compared || !record.InputsUnchanged || record.Winner is not { } winner)
            return false;
        var logger = context.Logger;
        var settings = context.Settings;
        if (!settings.Skip)
        {
            logger.Information("Stage {Stage}: inputs unchanged since {Winner} was built, built anyway (docker-cache-skip is false)", stage.Name, winner);
            return false;
        }

        // The local image of a registry winner is its image only when this run pulled it (for the classic
        // builder): a leftover of the same name on a developer's engine may be older than the registry's.
        var inRegistry = WinnerInRegistry(record);
        var local = !inRegistry || context.BuilderNeedsLocalImages
            ? await context.Engine.InspectLocalAsync(winner, cancellationToken).ConfigureAwait(false)
            : null;
        if (local is null)
        {
            var reason = !inRegistry ? "the cache image is not in the engine (a tarball served to BuildKit, not loaded)"
                : settings.UsesTarball ? "the tarball store needs the image in the engine, and it is only in the registry"
                : stage.IsFinal && !settings.Push ? "with docker-push false the final image must be in the engine, and it is only in the registry"
                : null;
            if (reason is not null)
            {
                logger.Information("Stage {Stage}: inputs unchanged since {Winner} was built, built anyway: {Reason}", stage.Name, winner, reason);
                return false;
            }
        }
        else
        {
            if (winner != stage.Image.ToString())
                await context.Engine.TagAsync(winner, stage.Image, cancellationToken).ConfigureAwait(false);
            record.ImageId = local.Id;
        }

        record.SkippedSince = winner;
        RecordInstructions(context, stage, step.Step);
        var publication = !inRegistry
            ? winner == stage.Image.ToString() ? "its image is in the engine" : $"tagged {stage.Image} in the engine"
            : winner == stage.Image.ToString() ? "it already is this tag's image in the registry"
            : settings.Push ? $"PushAll copies its manifest to {stage.Image.Tag} in the registry (no pull, no layer moved)" : "not published (docker-push is false)";
        logger.Information(
            "Stage {Stage} not built: inputs unchanged since {Winner} was built ({Fingerprint}); {Publication}",
            stage.Name, winner, FingerprintWriter.Short(record.Fingerprint!), publication);
        step.Message = step.Message is null ? $"skipped {stage.Name}: inputs unchanged since {winner}" : $"{step.Message}; skipped {stage.Name}: inputs unchanged since {winner}";
        return true;
    }

    /// <summary>
    /// The stage's instructions as its build would have reported them, all cached in no time: the sum
    /// counts what the skip saved from history's cold durations, and history keeps them as used.
    /// The final build's repeat of them is not recorded again (<see cref="StageBuilder"/>).
    /// </summary>
    private static void RecordInstructions(RunContext context, StageImage stage, PipelineStep step)
    {
        var fingerprint = context.Record.Fingerprints.FirstOrDefault(f => f.Stage.Equals(stage.Name, StringComparison.OrdinalIgnoreCase));
        if (fingerprint is null || context.Record.Instructions.Any(i => i.Stage.Equals(stage.Name, StringComparison.OrdinalIgnoreCase)))
            return;
        var buildKit = context.Settings.Builder == Configuration.BuilderKind.BuildKit;
        // The classic builder reports every instruction as a step; BuildKit only those that make a vertex.
        foreach (var instruction in fingerprint.Instructions.Where(i => i.Index > 0 && (!buildKit || BuildKitSteps.Contains(i.Keyword))))
        {
            var text = buildKit ? instruction.StepName ?? instruction.Text : instruction.Text;
            context.Record.Instructions.Add(new InstructionRecord(stage.Name, text, cached: true, TimeSpan.Zero, step) { Skipped = true });
        }
    }

    /// <summary>The winner was found in the registry (not a loaded or served tarball).</summary>
    public static bool WinnerInRegistry(StageRecord record) =>
        record.Candidates.Any(c => c.Reference == record.Winner && c.Exists && c.Source == TransferRecord.Registry);

    /// <summary>
    /// Publishes a skipped stage whose winner is in the registry under this build's tag, registry-side:
    /// nothing when the winner is this tag's image, else its manifest copied to this tag (same digest, no
    /// layer moved, no pull). Throws the registry's failure.
    /// </summary>
    public static async Task PublishAsync(RunContext context, StageImage stage, CancellationToken cancellationToken)
    {
        var record = context.StageRecord(stage);
        var winner = stage.Candidates.First(c => c.ToString() == record.SkippedSince);
        if (winner.Tag == stage.Image.Tag)
        {
            context.Logger.Information("{Image} not pushed: it is the cache image whose inputs are unchanged", stage.Image.ToString());
            return;
        }

        var written = await context.Registry.RetagAsync(RegistryRepository.Of(stage.Image), winner.Tag, stage.Image.Tag, context.Settings.Credentials, cancellationToken)
            .ConfigureAwait(false);
        context.Logger.Information("{Image} published as a copy of {Winner} ({Digest}): its inputs are unchanged", stage.Image.ToString(), winner.ToString(), written.Digest);
    }
}
