namespace CacheFrom.Configuration;

/// <summary>Whether a stage's cache is fetched (<c>docker-cache-fetch</c>): the registry pull, tarball load or BuildKit import that precedes its build.</summary>
public enum CacheFetchMode
{
    /// <summary>Fetch unless the history predicts it costs more than it saves, by a margin (docs/fetch-cost.md). Default.</summary>
    Auto,

    /// <summary>Always fetch the cache that exists; the prediction is still made and reported.</summary>
    Always,

    /// <summary>Never fetch: every stage builds cold (and the run still stores its cache).</summary>
    Never,
}
