namespace CacheFrom.FetchCost;

/// <summary>
/// How much more fetching must be predicted to cost than it saves before a stage builds cold
/// (docs/fetch-cost.md). Both bounds must be passed: predictions are rough (a link varies, cold
/// durations drift), building cold when fetching would have paid is the worse mistake, and a
/// second or two either way is not worth a cold build.
/// </summary>
internal static class FetchCostMargin
{
    /// <summary>Predicted fetch time must exceed the predicted saving times this…</summary>
    public const double Ratio = 1.5;

    /// <summary>…and exceed it by at least this much.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    public static bool CostsMoreThanItSaves(TimeSpan fetch, TimeSpan saving) =>
        fetch > saving * Ratio && fetch - saving >= Slack;
}
