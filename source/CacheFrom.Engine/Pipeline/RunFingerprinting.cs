using System.Diagnostics;
using CacheFrom.BuildContext;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Fingerprints;
using CacheFrom.History;
using CacheFrom.Recording;
using CacheFrom.References;

namespace CacheFrom.Pipeline;

/// <summary>
/// The run's fingerprints: computed once per run (the context indexed once, the images the
/// Dockerfile names resolved without pulling), kept in the record and on each stage record, and
/// compared with what each stage's winner was built from (its label, and the history's record of
/// it). Fingerprints are an optimisation and an explanation: when they can't be computed the run
/// goes on without them, with one warning.
/// </summary>
internal static class RunFingerprinting
{
    /// <summary>This run's fingerprints (computed on first use, then kept for the run), or null when they could not be computed.</summary>
    public static async Task<RunFingerprints?> EnsureAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (context.FingerprintsComputed(out var known))
            return known;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var index = await ContextIndex.BuildAsync(context.Settings.Context, IgnoreRules(context), cancellationToken).ConfigureAwait(false);
            var platform = await context.Engine.PlatformAsync(cancellationToken).ConfigureAwait(false);
            var options = new FingerprintOptions(context.Settings.Builder, platform, context.Settings.BuildArgs);
            var now = context.Record.StartedAt;
            var first = Fingerprinter.Compute(context.Dockerfile, options, index, new Dictionary<string, ImageIdentity>(), now);
            var fingerprints = first;
            if (first.MissingImages.Count > 0)
            {
                var images = await new ImageResolver(context.Engine, context.Registry, CredentialsFor(context)).ResolveAsync(first.MissingImages, cancellationToken).ConfigureAwait(false);
                foreach (var unresolved in images.Values.Where(i => i.Digest is null))
                    context.Logger.Warning("The image {Image} could not be resolved ({Reason}); the steps that use it count as changed", unresolved.Name, unresolved.Problem);
                fingerprints = Fingerprinter.Compute(context.Dockerfile, options, index, images, now);
            }

            context.KeepFingerprints(fingerprints);
            context.Record.Fingerprints = [.. fingerprints.Stages];
            foreach (var stage in context.Stages)
            {
                var record = context.StageRecord(stage);
                var computed = fingerprints.Stage(stage.Name);
                record.Fingerprint = computed?.Fingerprint;
                record.FingerprintUnknown = computed?.Unknown;
            }

            context.Logger.Information(
                "Fingerprints: context indexed ({Files} files, {Bytes} bytes) in {IndexMs:0} ms; {Stages:l} in {Milliseconds:0} ms",
                index.FileCount, index.TotalBytes, index.Elapsed.TotalMilliseconds,
                string.Join(", ", fingerprints.Stages.Select(s => $"{s.Stage} {(s.Fingerprint is null ? "unknowable" : FingerprintWriter.Short(s.Fingerprint))}")),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            foreach (var stage in fingerprints.Stages.Where(s => s.Fingerprint is null))
                context.Logger.Information("Stage {Stage} has no fingerprint: {Reason}", stage.Stage, stage.Unknown);
            return fingerprints;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CacheFromException)
        {
            context.Logger.Warning("Could not compute the run's fingerprints ({Reason}); misses go unexplained and nothing counts as unchanged", exception.Message);
            context.KeepFingerprints(null);
            return null;
        }
    }

    /// <summary>
    /// Each stage against its winner: the fingerprint the winner carries (<paramref name="labels"/>, by stage), the record of
    /// it in <paramref name="history"/>, and per instruction what changed. Stored on the stage records
    /// and on the record's fingerprints, where the reports find it after the builds.
    /// </summary>
    public static void Compare(RunContext context, RunFingerprints fingerprints, IReadOnlyList<string?> labels, CacheHistory history)
    {
        var changes = new Dictionary<string, MissExplanation?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (stage, label) in context.Stages.Zip(labels))
        {
            var record = context.StageRecord(stage);
            if (fingerprints.Stage(stage.Name) is not { } current)
                continue;
            var recorded = label is null ? null : history.Find(stage.Name, label);
            var comparison = FingerprintComparer.Compare(current, fingerprints, record.Winner, label, recorded, name => changes.GetValueOrDefault(name));
            changes[stage.Name] = comparison.Change;
            for (var i = 0; i < current.Instructions.Count; i++)
                current.Instructions[i].Change = comparison.Instructions[i];
            record.WinnerFingerprint = label;
            record.Compared = true;
            record.Change = comparison.Change;
            if (comparison.Unchanged)
                context.Logger.Information("Stage {Stage}: inputs unchanged since {Winner} was built ({Fingerprint})", stage.Name, record.Winner, FingerprintWriter.Short(current.Fingerprint!));
            else
                context.Logger.Information("Stage {Stage}: changed since its cache image: {Reason}", stage.Name, comparison.Change?.Summary);
        }
    }

    /// <summary>The fingerprint each stage's winner carries (null: no winner, or no label), in stage order; read in parallel.</summary>
    public static async Task<IReadOnlyList<string?>> WinnerFingerprintsAsync(RunContext context, Task<RunFingerprints?> fingerprints, CancellationToken cancellationToken)
    {
        if (await fingerprints.ConfigureAwait(false) is not { } computed)
            return context.Stages.Select(_ => (string?)null).ToList();
        return await Task.WhenAll(context.Stages.Select(stage => WinnerFingerprintAsync(context, stage, computed, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// The label on the winner: from the engine when the winner is its image (a tarball load, a pull
    /// this run made), else from its config in the registry (manifest and config blob, no layer). A
    /// registry winner's older namesake left on the engine is not asked: a skip trusts this label.
    /// The config read from a registry also tells which steps its inline cache metadata leaves out.
    /// </summary>
    private static async Task<string?> WinnerFingerprintAsync(RunContext context, StageImage stage, RunFingerprints fingerprints, CancellationToken cancellationToken)
    {
        var record = context.StageRecord(stage);
        if (record.Winner is not { } winner)
            return null;
        try
        {
            var inRegistry = StageSkip.WinnerInRegistry(record);
            if ((!inRegistry || context.BuilderNeedsLocalImages)
                && await context.Engine.InspectLocalAsync(winner, cancellationToken).ConfigureAwait(false) is { } local)
                return local.Labels.GetValueOrDefault(FingerprintLabel.Name);
            if (!inRegistry)
                return null;
            var reference = stage.Candidates.First(c => c.ToString() == winner);
            var config = await context.Registry.ReadImageConfigAsync(RegistryRepository.Of(reference), reference.Tag, context.Settings.Credentials, ParsePlatform(fingerprints.Platform), cancellationToken)
                .ConfigureAwait(false);
            NoteLeftOut(context, record, config?.InlineCache, fingerprints.Stage(stage.Name));
            return config?.Labels.GetValueOrDefault(FingerprintLabel.Name);
        }
        catch (Exception exception) when (exception is CacheFromException or HttpRequestException or TimeoutException)
        {
            context.Logger.Warning("Could not read what {Winner} was built from ({Reason}); its stage counts as changed", winner, exception.Message);
            return null;
        }
    }

    private static void NoteLeftOut(RunContext context, StageRecord record, InlineCacheMetadata? metadata, StageFingerprint? stage)
    {
        if (metadata is null || stage is null || context.Settings.Builder != BuilderKind.BuildKit)
            return;
        var instructions = stage.Instructions.Where(i => i.Index > 0).ToList();
        if (metadata.LeftOut(instructions.Select(i => i.Keyword).ToList()) is not { } leftOut)
            return;
        record.WinnerLeftOut = [.. leftOut];
        if (leftOut.Count > 0)
            context.Logger.Information(
                "The inline cache metadata of {Winner} leaves out the layers of {Steps:l}: BuildKit reuses such a step only with a later one, so a change right after it runs it again",
                record.Winner, string.Join(", ", instructions.Where(i => leftOut.Contains(i.Index)).Select(i => $"line {i.Line} ({i.Keyword})")));
    }

    private static Platform? ParsePlatform(string platform) =>
        platform.Split('/') is [var os, var architecture, .. var rest] ? new Platform(os, architecture, rest.FirstOrDefault()) : null;

    /// <summary>
    /// The rules the build's context goes through: a BuildKit session streams it with the
    /// Dockerfile's own <c>NAME.dockerignore</c> when there is one; the tar body (the classic
    /// builder, BuildKit without a session) is made with the context's <c>.dockerignore</c>.
    /// </summary>
    private static DockerIgnore IgnoreRules(RunContext context)
    {
        var settings = context.Settings;
        var file = settings.Builder == BuilderKind.BuildKit && context.Sessions is not null
            ? ContextPaths.BuildKitIgnoreFile(settings.Context, settings.DockerFile)
            : Path.Combine(settings.Context, ".dockerignore");
        return file is not null && File.Exists(file) ? DockerIgnore.Parse(File.ReadAllLines(file), file) : DockerIgnore.Empty;
    }

    /// <summary>This image's registry gets the run's credentials; any other registry, the Docker config's (looked up only when asked).</summary>
    private static Func<ImageReference, RegistryCredentials?> CredentialsFor(RunContext context) =>
        reference => reference.RegistryKey == context.Settings.Image.RegistryKey
            ? context.Settings.Credentials
            : DockerConfigCredentials.Find(reference.RegistryKey, EnvironmentSnapshot.Current()).Credentials;
}
