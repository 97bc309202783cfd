namespace CacheFrom.Reporting;

/// <summary>The answer to "was the cache worth it?" for one run; <see cref="RunSummary.Verdict"/> says it in words.</summary>
public enum CacheVerdict
{
    /// <summary>What the cache saved is at least what fetching and storing it cost.</summary>
    PaidOff,

    /// <summary>Fetching and storing cost more than the cache saved (or nothing was cached).</summary>
    DidNotPayOff,

    /// <summary>Some cached instructions have no history: the known savings are a lower bound that does not cover the cost.</summary>
    Unclear,

    /// <summary>Instructions hit the cache, but there is no history of their cold durations yet.</summary>
    Unknown,

    /// <summary>The run used no cache (<c>docker-cache none</c>).</summary>
    NoCache,
}
