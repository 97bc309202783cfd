using CacheFrom.Recording;

namespace CacheFrom.Recording;

/// <summary>One instruction of the run as the sum counts it, with its identity.</summary>
internal sealed record EffectiveInstruction(InstructionKey Key, InstructionRecord Record);

/// <summary>
/// The run's instructions counted once each. The final build re-runs the builder stage and finds
/// it cached — cached by this very run, not by the cache that travelled here — so an instruction
/// that was built by any step of the run counts as built, and only an instruction that no step
/// built counts as a cache hit. <c>FROM</c> is not counted at all: the builders report it cached
/// whenever the base image is present, with or without a cache, and it is never built.
/// </summary>
internal static class RunInstructions
{
    /// <summary>False for <c>FROM</c>: neither a cache hit nor built work.</summary>
    public static bool Counts(InstructionRecord instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        return !instruction.Text.TrimStart().StartsWith("FROM ", StringComparison.OrdinalIgnoreCase);
    }

    public static IReadOnlyList<EffectiveInstruction> Effective(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var order = new List<InstructionKey>();
        var chosen = new Dictionary<InstructionKey, InstructionRecord>();
        foreach (var (key, instruction) in Keyed(record.Instructions))
        {
            if (!chosen.TryGetValue(key, out var current))
            {
                order.Add(key);
                chosen[key] = instruction;
            }
            else if (current.Cached && !instruction.Cached)
            {
                chosen[key] = instruction;
            }
        }

        return order.Select(key => new EffectiveInstruction(key, chosen[key])).ToList();
    }

    /// <summary>Every counted instruction with its key; occurrences count within one build step and stage.</summary>
    public static IEnumerable<(InstructionKey Key, InstructionRecord Record)> Keyed(IEnumerable<InstructionRecord> instructions)
    {
        var seen = new Dictionary<(PipelineStep, string, string), int>();
        foreach (var instruction in instructions.Where(Counts))
        {
            var text = InstructionKey.Normalise(instruction.Text);
            var slot = (instruction.BuiltIn, instruction.Stage, text);
            var occurrence = seen.GetValueOrDefault(slot) + 1;
            seen[slot] = occurrence;
            yield return (new InstructionKey(instruction.Stage, text, occurrence), instruction);
        }
    }
}
