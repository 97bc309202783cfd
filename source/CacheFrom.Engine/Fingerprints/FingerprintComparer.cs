using CacheFrom.Recording;

namespace CacheFrom.Fingerprints;

/// <summary>
/// This run's fingerprints of a stage against those recorded for its winning cache image: per
/// instruction (by position), unchanged, or what changed — the instruction, a build arg, the base
/// image, a source stage or image, context files (named down to the smallest directory the
/// recorded summary kept), the builder — or that only an earlier step did.
/// </summary>
internal static class FingerprintComparer
{
    /// <param name="current">This run's fingerprints of the stage.</param>
    /// <param name="run">This run's fingerprints (the context entries each instruction took).</param>
    /// <param name="winner">The winning cache image, or null when none existed.</param>
    /// <param name="winnerFingerprint">The fingerprint the winner carries in its label, or null when it carries none.</param>
    /// <param name="recorded">The winner's fingerprints as the history recorded them, or null when the history has none.</param>
    /// <param name="sourceChange">Why another stage of this run changed (null: unchanged), to say why a stage built from it did.</param>
    public static StageComparison Compare(StageFingerprint current, RunFingerprints run, string? winner, string? winnerFingerprint, StageFingerprint? recorded,
        Func<string, MissExplanation?> sourceChange)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(sourceChange);
        var changes = new List<MissExplanation?>();
        if (current.Fingerprint is not null && current.Fingerprint == winnerFingerprint)
        {
            changes.AddRange(current.Instructions.Select(_ => (MissExplanation?)null));
            return new StageComparison(current.Stage, current.Fingerprint, winner, winnerFingerprint, changes, null);
        }

        var matched = -1;
        foreach (var instruction in current.Instructions)
        {
            if (instruction.Fingerprint is null)
                changes.Add(MissExplanation.Simple(MissKind.Unknowable, "inputs can't be known: " + instruction.Unknown));
            else if (winner is null)
                changes.Add(MissExplanation.Simple(MissKind.NoCache, $"no cache image existed for stage {current.Stage}"));
            else if (winnerFingerprint is null)
                changes.Add(MissExplanation.Simple(MissKind.NoHistory, $"the cache image {winner} carries no fingerprint to compare with (built before CacheFrom recorded them, or by other means)"));
            else if (recorded is null)
                changes.Add(MissExplanation.Simple(MissKind.NoHistory, $"the cache history has no record of what {winner} was built from"));
            else
                changes.Add(Instruction(current, run, recorded, instruction, Counterpart(current, recorded, instruction, ref matched), changes, sourceChange));
        }

        var first = changes.FirstOrDefault(c => c is not null);
        return new StageComparison(current.Stage, current.Fingerprint, winner, winnerFingerprint, changes, first ?? Fallback(current, winner, winnerFingerprint));
    }

    // Every instruction equal but the stage not: only the root (builder, platform, directives) or the label can differ.
    private static MissExplanation Fallback(StageFingerprint current, string? winner, string? winnerFingerprint) =>
        MissExplanation.Simple(MissKind.BuilderChanged, $"the stage's fingerprint {Short(current.Fingerprint)} differs from the one {winner} carries ({Short(winnerFingerprint)})");

    /// <summary>
    /// The recorded instruction this one is compared with: the same position when the text is the
    /// same there, else the next recorded one with the same text (lines were added or removed above
    /// it), else the same position; null when that recorded instruction moved further down (this one
    /// is new) or the record has no instruction there.
    /// </summary>
    private static InstructionFingerprint? Counterpart(StageFingerprint current, StageFingerprint recorded, InstructionFingerprint instruction, ref int matched)
    {
        var index = instruction.Index;
        var same = index < recorded.Instructions.Count ? recorded.Instructions[index] : null;
        if (same is not null && same.Inputs.Text == instruction.Inputs.Text && same.Keyword == instruction.Keyword)
        {
            matched = index;
            return same;
        }

        var after = matched;
        var moved = recorded.Instructions.FirstOrDefault(r => r.Index > after && r.Inputs.Text == instruction.Inputs.Text && r.Keyword == instruction.Keyword);
        if (moved is not null)
        {
            matched = moved.Index;
            return moved;
        }

        if (same is not null && current.Instructions.Any(c => c.Index > index && c.Inputs.Text == same.Inputs.Text))
            return null;
        return same;
    }

    private static MissExplanation? Instruction(StageFingerprint current, RunFingerprints run, StageFingerprint recorded, InstructionFingerprint instruction,
        InstructionFingerprint? old, List<MissExplanation?> earlier, Func<string, MissExplanation?> sourceChange)
    {
        var index = instruction.Index;
        if (old is null)
            return MissExplanation.Simple(MissKind.InstructionChanged, "a new instruction (the cache image's stage did not have it there)");
        if (old.Fingerprint is not null && FingerprintWriter.Short(old.Fingerprint) == FingerprintWriter.Short(instruction.Fingerprint!))
            return null;

        var own = Own(current, run, recorded, instruction, old, sourceChange);
        if (own is not null)
            return own;

        // Its own inputs are as recorded: the step that changed came before it.
        for (var i = 0; i < index; i++)
        {
            if (earlier[i] is not { } cause || cause.Kind == MissKind.EarlierStepMissed)
                continue;
            var step = current.Instructions[i];
            if (i == 0)
            {
                // FROM is not a step the report counts: say what changed there, not "an earlier step".
                return new MissExplanation(cause.Kind, cause.Reasons, cause.Summary, cause.Paths, cause.MorePaths, cause.Args, null);
            }

            return new MissExplanation(MissKind.EarlierStepMissed, [MissKind.EarlierStepMissed, .. cause.Reasons], $"an earlier step changed (line {step.Line}, {Trim(step.Text)}: {cause.Summary})",
                cause.Paths, cause.MorePaths, cause.Args, step.Line);
        }

        return MissExplanation.Simple(MissKind.EarlierStepMissed, "an earlier step changed");
    }

    private static MissExplanation? Own(StageFingerprint current, RunFingerprints run, StageFingerprint recorded, InstructionFingerprint now, InstructionFingerprint old,
        Func<string, MissExplanation?> sourceChange)
    {
        var reasons = new List<MissKind>();
        var parts = new List<string>();
        var paths = new List<string>();
        var more = 0;
        var args = new List<string>();

        if (now.Keyword != old.Keyword || now.Inputs.Text != old.Inputs.Text)
        {
            reasons.Add(MissKind.InstructionChanged);
            parts.Add(now.Keyword == old.Keyword && now.Text != old.Text ? $"instruction changed (was: {Trim(old.Text)})" : "instruction changed");
        }

        if (now.Index == 0)
        {
            if (current.Builder != recorded.Builder || current.Platform != recorded.Platform || current.Directives != recorded.Directives)
            {
                reasons.Add(MissKind.BuilderChanged);
                parts.Add(Root(current, recorded));
            }

            if (now.Inputs.Base != old.Inputs.Base)
            {
                // A base stage's own changes show as a changed source (below); a new base, or another image behind the tag, here.
                reasons.Add(MissKind.BaseImageMoved);
                parts.Add($"base image moved ({Short(old.Inputs.Base)} → {Short(now.Inputs.Base)})");
            }
        }

        var changedArgs = Changed(now.Inputs.Args, old.Inputs.Args);
        if (changedArgs.Count > 0)
        {
            reasons.Add(MissKind.BuildArgChanged);
            args.AddRange(changedArgs);
            parts.Add(changedArgs.Count == 1 ? $"build arg {changedArgs[0]} changed" : $"build args {string.Join(", ", changedArgs)} changed");
        }

        var sources = Changed(now.Inputs.Sources, old.Inputs.Sources);
        if (sources.Count > 0)
        {
            reasons.Add(MissKind.SourceChanged);
            parts.AddRange(sources.Select(s => s.StartsWith("stage:", StringComparison.Ordinal)
                ? $"stage {s["stage:".Length..]} changed{Nested(sourceChange, s["stage:".Length..])}"
                : $"image {s["image:".Length..]} moved"));
        }

        var files = Files(run.Taken(current.Stage, now.Index), now.Inputs.Files, old.Inputs.Files);
        if (files.Count > 0)
        {
            reasons.Add(MissKind.FilesChanged);
            paths.AddRange(files.Take(MissExplanation.MaxPaths).Select(f => f.Path));
            more = Math.Max(0, files.Count - MissExplanation.MaxPaths);
            parts.Add("files changed: " + string.Join(", ", files.Take(MissExplanation.MaxPaths).Select(f => f.Label)) + (more > 0 ? $" and {more} more" : ""));
        }

        if (reasons.Count == 0 && now.Inputs.Own != old.Inputs.Own)
        {
            reasons.Add(MissKind.InstructionChanged);
            parts.Add("its inputs changed");
        }

        return reasons.Count == 0 ? null : new MissExplanation(reasons[0], reasons, string.Join("; ", parts), paths, more, args, null);
    }

    private static string Nested(Func<string, MissExplanation?> sourceChange, string? stage) =>
        stage is not null && sourceChange(stage) is { } why ? $" ({why.Summary})" : "";

    private static string Root(StageFingerprint now, StageFingerprint old)
    {
        var differences = new List<string>();
        if (now.Builder != old.Builder)
            differences.Add($"builder {old.Builder} → {now.Builder}");
        if (now.Platform != old.Platform)
            differences.Add($"platform {old.Platform} → {now.Platform}");
        if (now.Directives != old.Directives)
            differences.Add("parser directives changed");
        return string.Join(", ", differences);
    }

    /// <summary>Keys whose value differs, or that only one side has.</summary>
    private static List<string> Changed<T>(SortedDictionary<string, T>? now, SortedDictionary<string, T>? old)
    {
        var keys = (now?.Keys ?? Enumerable.Empty<string>()).Union(old?.Keys ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
        return keys.Where(k =>
        {
            var a = now is not null && now.TryGetValue(k, out var x) ? (true, x) : (false, default);
            var b = old is not null && old.TryGetValue(k, out var y) ? (true, y) : (false, default);
            return a.Item1 != b.Item1 || !EqualityComparer<T>.Default.Equals(a.Item2, b.Item2);
        }).OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>What differs between the entries taken now and the recorded summary: each recorded group that changed or went away, and what no group covers (new).</summary>
    private static List<(string Path, string Label)> Files(IReadOnlyList<ContextEntry> taken, FileSummary? now, FileSummary? old)
    {
        var result = new List<(string, string)>();
        if (old is null)
        {
            result.AddRange(taken.Where(e => e.Kind != ContextEntryKind.Directory).Select(e => (e.Path, e.Path + " (new)")));
            return result;
        }

        if (now is not null && now.Count == old.Count && now.Groups.Count == old.Groups.Count && now.Groups.SequenceEqual(old.Groups))
            return result;

        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, hash) in old.Groups)
        {
            var members = taken.Where(e => FileSummary.InGroup(key, e.Path)).ToList();
            foreach (var member in members)
                covered.Add(member.Path);
            var label = key == FileSummary.Everything ? $"(some of the {old.Count} files it copies)" : key;
            if (members.Count == 0)
                result.Add((key, label + " (removed)"));
            else if (FileSummary.GroupHash(key, members) != hash)
                result.Add((key, label));
        }

        // What no recorded group covers is new; a new directory is named once, not with everything below it.
        var uncovered = taken.Where(e => !covered.Contains(e.Path)).ToList();
        var newDirectories = uncovered.Where(e => e.Kind == ContextEntryKind.Directory).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in uncovered.Where(e => !UnderAny(e.Path, newDirectories)))
            result.Add((entry.Path, entry.Path + (entry.Kind == ContextEntryKind.Directory ? "/ (new)" : " (new)")));
        return result.OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
    }

    private static bool UnderAny(string path, HashSet<string> directories)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (directories.Contains(path[..slash]))
                return true;
        }

        return false;
    }

    private static string Short(string? digest) => digest is null ? "none" : digest.StartsWith("stage:", StringComparison.Ordinal) || digest == "scratch" ? digest : FingerprintWriter.Short(digest);

    private static string Trim(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
