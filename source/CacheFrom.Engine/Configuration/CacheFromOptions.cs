namespace CacheFrom.Configuration;

/// <summary>
/// The parameter contract shared by every host (NUKE, Cake): what the user asked for, before
/// defaults are applied. <see cref="CacheFromSettings.Resolve"/> validates it once and fills
/// the defaults.
/// </summary>
public sealed class CacheFromOptions
{
    /// <summary><c>docker-image</c>: repository, registry host included. Required.</summary>
    public string? Image { get; set; }

    /// <summary><c>docker-tag</c>: this build's tag. Default: the current branch, sanitised.</summary>
    public string? Tag { get; set; }

    /// <summary><c>docker-cache-fallback</c>: further candidate tags, best first.</summary>
    public IList<string>? CacheFallback { get; set; }

    /// <summary><c>docker-file</c>: the Dockerfile. Default: <c>Dockerfile</c> in the context.</summary>
    public string? DockerFile { get; set; }

    /// <summary><c>docker-context</c>: the build context directory. Default: the working directory.</summary>
    public string? Context { get; set; }

    /// <summary><c>docker-builder</c>.</summary>
    public BuilderKind? Builder { get; set; }

    /// <summary><c>docker-cache</c>. Default: registry when the image names a registry host, else tarball.</summary>
    public CacheMode? Cache { get; set; }

    /// <summary><c>docker-cache-dir</c>: the tarball store.</summary>
    public string? CacheDir { get; set; }

    /// <summary><c>docker-push</c>. Default: true when the cache mode uses the registry.</summary>
    public bool? Push { get; set; }

    /// <summary>
    /// <c>docker-cache-skip</c>: a stage whose fingerprint equals its winning cache image's is not built
    /// (docs/fingerprints.md). Default: <see cref="CacheFromDefaults.Skip"/>; false builds every stage.
    /// </summary>
    public bool? Skip { get; set; }

    /// <summary><c>docker-build-args</c>.</summary>
    public IDictionary<string, string> BuildArgs { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>docker-username</c>/<c>docker-password</c>. Default: the Docker config file's <c>auths</c>.</summary>
    public RegistryCredentials? Credentials { get; set; }

    /// <summary><c>docker-secrets</c>: build secrets served to BuildKit through the session.</summary>
    public IList<BuildSecret> Secrets { get; set; } = [];

    /// <summary><c>docker-lint</c>: the preflight lint of the Dockerfile and context. Default: <see cref="CacheFromDefaults.Lint"/>.</summary>
    public LintMode? Lint { get; set; }

    /// <summary><c>docker-cache-ttl</c>: PruneCache deletes the cache of branches idle longer than this. Default: <see cref="CacheFromDefaults.CacheTtl"/>.</summary>
    public TimeSpan? CacheTtl { get; set; }

    /// <summary><c>docker-prune-apply</c>: PruneCache deletes; otherwise it only lists what would go. Default: false (a dry run).</summary>
    public bool? PruneApply { get; set; }

    /// <summary><c>docker-cache-fetch</c>: fetch each stage's cache, skip it when it costs more than it saves (auto), or decide by hand. Default: <see cref="CacheFromDefaults.CacheFetch"/>.</summary>
    public CacheFetchMode? CacheFetch { get; set; }

    /// <summary><c>docker-ssh</c>: forward the ssh-agent (<c>default</c>) to <c>RUN --mount=type=ssh</c>.</summary>
    public string? Ssh { get; set; }

    /// <summary>Where relative paths start, and where the branch is looked up. Default: the current directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Where the run record and reports are written. Default: <see cref="CacheFromDefaults.ReportDir"/>.</summary>
    public string? ReportDir { get; set; }

    /// <summary>The Docker engine endpoint. Default: <c>DOCKER_HOST</c>, else the local socket.</summary>
    public string? DockerHost { get; set; }

    /// <summary>
    /// Host plumbing, not a user parameter: continue the run recorded under this id in the report
    /// directory (steps run in separate processes, e.g. the Cake recipe's tasks through the tool);
    /// null: a new run.
    /// </summary>
    public string? RunId { get; set; }

    /// <summary>Retries of registry checks, pulls and pushes. Default: <see cref="Resilience.RetryDefaults"/>.</summary>
    public Resilience.RetryOptions? Retry { get; set; }
}
