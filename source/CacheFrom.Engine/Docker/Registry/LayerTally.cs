using Docker.DotNet.Models;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Bytes a push or pull moved, from the per-layer <c>progressDetail</c> totals (the engine
/// repeats them as a layer progresses; the largest seen counts). Layers that already existed
/// report no totals and move nothing. It also tells news from repetition: the containerd image
/// store repeats every layer's unchanged status ("Waiting") ten times a second while nothing
/// moves, which must not count as progress.
/// </summary>
internal sealed class LayerTally
{
    private readonly Dictionary<string, (long Current, long Total)> _layers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastStatus = new(StringComparer.Ordinal);

    /// <summary>Counts the message; true when it is progress (a new status, more bytes, a message about no layer), false for a repeat.</summary>
    public bool Apply(JSONMessage message)
    {
        if (string.IsNullOrEmpty(message.ID))
            return true;
        var news = !string.Equals(_lastStatus.GetValueOrDefault(message.ID), message.Status, StringComparison.Ordinal);
        _lastStatus[message.ID] = message.Status ?? "";
        if (message.Progress is { } progress && (progress.Total > 0 || progress.Current > 0))
        {
            var seen = _layers.GetValueOrDefault(message.ID);
            news |= (progress.Current ?? 0) > seen.Current;
            _layers[message.ID] = (Math.Max(seen.Current, progress.Current ?? 0), Math.Max(seen.Total, progress.Total ?? 0));
        }

        if (message.Status is "Pushed" or "Pull complete" or "Layer already exists" or "Already exists" or "Download complete")
            _done.Add(message.ID);
        return news;
    }

    /// <summary>Bytes moved: each layer's total, or what was seen of it when no total came.</summary>
    public long Bytes => _layers.Values.Sum(l => Math.Max(l.Total, l.Current));

    public long BytesSoFar => _layers.Values.Sum(l => l.Current);

    public int LayersDone => _done.Count;

    public int LayersSeen => _done.Union(_layers.Keys).Count();
}
