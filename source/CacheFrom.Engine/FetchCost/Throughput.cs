using CacheFrom.Recording;

namespace CacheFrom.FetchCost;

/// <summary>
/// The speed earlier runs moved cache images at, for one source: the newest fetches (pulls,
/// loads) of at least <see cref="MinSampleBytes"/>; without any, the newest stores (pushes, saves)
/// stand in, since BuildKit's registry import happens inside the build and cannot be timed apart.
/// </summary>
internal sealed record Throughput(double BytesPerSecond, int Samples, bool FromFetches)
{
    /// <summary>Smaller transfers measure round trips, not the link: a warm push that finds every layer present is mostly "already exists".</summary>
    public const long MinSampleBytes = 1024 * 1024;

    /// <summary>The newest samples used: a runner's link changes, a few runs back is the best guess.</summary>
    public const int MaxSamples = 5;

    /// <summary>Total bytes over total seconds of the samples chosen, or null when history measured none.</summary>
    public static Throughput? Estimate(IEnumerable<TransferSample> transfers, string source)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        var usable = transfers.Where(t => t.Source == source && t.Bytes >= MinSampleBytes && t.Seconds > 0).OrderByDescending(t => t.At).ToList();
        var fetches = usable.Where(t => t.Fetch).Take(MaxSamples).ToList();
        var chosen = fetches.Count > 0 ? fetches : usable.Where(t => !t.Fetch).Take(MaxSamples).ToList();
        if (chosen.Count == 0)
            return null;
        return new Throughput(chosen.Sum(t => (double)t.Bytes) / chosen.Sum(t => t.Seconds), chosen.Count, fetches.Count > 0);
    }

    public TimeSpan TimeFor(long bytes) => TimeSpan.FromSeconds(bytes / BytesPerSecond);
}
