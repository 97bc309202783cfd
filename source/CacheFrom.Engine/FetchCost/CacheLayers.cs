using CacheFrom.Fingerprints;

namespace CacheFrom.FetchCost;

/// <summary>
/// Which of a cache image's layers a fetch moves. A classic pull and a tarball move all of them;
/// BuildKit's inline-cache import fetches only the layers of the steps it reuses. The image's
/// last layers are the stage's own (one per <c>RUN</c>, <c>COPY</c>, <c>ADD</c>; the layers below
/// are the base image's), in Dockerfile order, so the reused ones are the first of those.
/// </summary>
internal static class CacheLayers
{
    public static long All(IReadOnlyList<long> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.Sum();
    }

    /// <summary>
    /// The bytes of the stage's own layers that belong to the first <paramref name="reused"/> of its
    /// <paramref name="own"/> layer-making instructions.
    /// </summary>
    public static long Reused(IReadOnlyList<long> layers, int own, int reused)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var ownLayers = layers.Skip(Math.Max(0, layers.Count - own)).ToList();
        return ownLayers.Take(Math.Min(reused, ownLayers.Count)).Sum();
    }

    /// <summary>True for the instructions that add a layer to the image.</summary>
    public static bool MakesLayer(InstructionFingerprint instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        return instruction.Keyword.ToUpperInvariant() is "RUN" or "COPY" or "ADD";
    }
}
