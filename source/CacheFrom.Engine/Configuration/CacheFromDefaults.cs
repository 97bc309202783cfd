namespace CacheFrom.Configuration;

/// <summary>The defaults of the parameter contract, in one place (tests pin them).</summary>
public static class CacheFromDefaults
{
    public static IReadOnlyList<string> CacheFallback { get; } = ["main", "master"];

    public const string DockerFile = "Dockerfile";

    public const string Context = ".";

    public const BuilderKind Builder = BuilderKind.BuildKit;

    /// <summary><c>docker-lint</c>: findings are warnings, never a failed build.</summary>
    public const LintMode Lint = LintMode.Warn;

    /// <summary><c>docker-cache-ttl</c>: two weeks, as kaniko's <c>--cache-ttl</c>.</summary>
    public static TimeSpan CacheTtl { get; } = TimeSpan.FromDays(14);

    /// <summary><c>docker-cache-skip</c>: a stage whose inputs equal its cache image's is not built.</summary>
    public const bool Skip = true;

    /// <summary><c>docker-cache-fetch</c>: fetch unless the history predicts it costs more than it saves.</summary>
    public const CacheFetchMode CacheFetch = CacheFetchMode.Auto;

    /// <summary>Relative to the working directory; NUKE's temporary directory.</summary>
    public const string CacheDir = ".nuke/temp/docker-cache";

    /// <summary>Where each run's record and reports go, relative to the working directory.</summary>
    public const string ReportDir = ".nuke/temp/cachefrom";

    /// <summary>The tag used when no tag is given and no branch can be found.</summary>
    public const string FallbackTag = "latest";
}
