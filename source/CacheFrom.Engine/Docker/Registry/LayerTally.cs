using Docker.DotNet.Models;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Bytes a push or pull moved, from the per-layer <c>progressDetail</c> totals (the engine
/// repeats them as a layer progresses; the largest seen counts). Layers that already existed
/// report no totals and move nothing.
/// </summary>
internal sealed class LayerTally
{
    private readonly Dictionary<string, (long Current, long Total)> _layers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);

    public void Apply(JSONMessage message)
    {
        if (string.IsNullOrEmpty(message.ID))
            return;
        if (message.Progress is { } progress && (progress.Total > 0 || progress.Current > 0))
        {
            var seen = _layers.GetValueOrDefault(message.ID);
            _layers[message.ID] = (Math.Max(seen.Current, progress.Current ?? 0), Math.Max(seen.Total, progress.Total ?? 0));
        }

        if (message.Status is "Pushed" or "Pull complete" or "Layer already exists" or "Already exists" or "Download complete")
            _done.Add(message.ID);
    }

    /// <summary>Bytes moved: each layer's total, or what was seen of it when no total came.</summary>
    public long Bytes => _layers.Values.Sum(l => Math.Max(l.Total, l.Current));

    public long BytesSoFar => _layers.Values.Sum(l => l.Current);

    public int LayersDone => _done.Count;

    public int LayersSeen => _done.Union(_layers.Keys).Count();
}
