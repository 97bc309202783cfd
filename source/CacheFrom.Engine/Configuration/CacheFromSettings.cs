using CacheFrom.References;

namespace CacheFrom.Configuration;

/// <summary>
/// The effective, validated parameters of a run: <see cref="CacheFromOptions"/> with every
/// default applied and every path made absolute. Built once by <see cref="Resolve"/>.
/// </summary>
public sealed class CacheFromSettings
{
    private CacheFromSettings()
    {
    }

    /// <summary>This build's final image, <c>repo:tag</c>.</summary>
    public required ImageReference Image { get; init; }

    /// <summary>Candidate tags after this build's own: the fallbacks, deduplicated.</summary>
    public required IReadOnlyList<string> CacheFallback { get; init; }

    public required string DockerFile { get; init; }

    public required string Context { get; init; }

    public required BuilderKind Builder { get; init; }

    public required CacheMode Cache { get; init; }

    public required string CacheDir { get; init; }

    public required bool Push { get; init; }

    public required IReadOnlyDictionary<string, string> BuildArgs { get; init; }

    /// <summary><c>docker-cache-skip</c>: stages whose inputs are unchanged since their cache image was built are not built.</summary>
    public bool Skip { get; init; } = CacheFromDefaults.Skip;

    /// <summary>
    /// Explicit credentials, else the Docker config's for the image's registry (its credential
    /// helper, else its <c>auths</c> entry: <see cref="DockerConfigCredentials"/>), else null.
    /// </summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>Where <see cref="Credentials"/> came from ("docker-username/docker-password", "credential helper docker-credential-ecr-login (credHelpers in …)"), for the log.</summary>
    internal string CredentialsSource { get; init; } = "";

    public required IReadOnlyList<BuildSecret> Secrets { get; init; }

    public string? Ssh { get; init; }

    public required LintMode Lint { get; init; }

    /// <summary>PruneCache deletes the cache-only tags and tarballs of branches idle longer than this.</summary>
    public TimeSpan CacheTtl { get; init; } = CacheFromDefaults.CacheTtl;

    /// <summary>PruneCache deletes; false: it only lists what would go (a dry run).</summary>
    public bool PruneApply { get; init; }

    public required CacheFetchMode CacheFetch { get; init; }

    public required string WorkingDirectory { get; init; }

    public required string ReportDir { get; init; }

    /// <summary>
    /// The docker-host parameter as given, or null. DOCKER_HOST is not folded in here: the one
    /// endpoint parser (<c>DockerEndpoint.Resolve</c>) reads it, so the log names where the endpoint came from.
    /// </summary>
    public string? DockerHost { get; init; }

    /// <summary>The run to continue (<see cref="CacheFromOptions.RunId"/>), or null for a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>Retries of registry checks, pulls and pushes (defaults: <see cref="Resilience.RetryDefaults"/>).</summary>
    public Resilience.RetryOptions Retry { get; init; } = new();

    public bool UsesRegistry => Cache is CacheMode.Registry or CacheMode.Both;

    public bool UsesTarball => Cache is CacheMode.Tarball or CacheMode.Both;

    /// <summary>
    /// Applies defaults and validates everything at once; throws one
    /// <see cref="CacheFromConfigurationException"/> listing every problem.
    /// </summary>
    public static CacheFromSettings Resolve(CacheFromOptions options, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var env = environment ?? EnvironmentSnapshot.Current();
        var problems = new List<string>();
        var workingDirectory = Path.GetFullPath(options.WorkingDirectory ?? Directory.GetCurrentDirectory());

        if (string.IsNullOrWhiteSpace(options.Image))
            problems.Add("docker-image is required (the repository, registry host included, e.g. registry.example.com/team/app)");
        else if (ImageReference.ValidateRepository(options.Image) is { } imageProblem)
            problems.Add($"docker-image {imageProblem}");

        var tag = options.Tag;
        if (string.IsNullOrWhiteSpace(tag))
            tag = BranchDetector.Detect(workingDirectory, env) is { } branch ? ImageTag.FromBranch(branch) : CacheFromDefaults.FallbackTag;
        else if (ImageReference.ValidateTag(tag) is { } tagProblem)
            problems.Add($"docker-tag {tagProblem}");
        else if (tag.Contains(StageTagScheme.Separator, StringComparison.Ordinal))
            problems.Add($"docker-tag '{tag}' contains '{StageTagScheme.Separator}', which marks stage images; use a single '-'");

        var fallback = new List<string>();
        foreach (var candidate in (IEnumerable<string>?)options.CacheFallback ?? CacheFromDefaults.CacheFallback)
        {
            if (ImageReference.ValidateTag(candidate) is { } fallbackProblem)
                problems.Add($"docker-cache-fallback {fallbackProblem}");
            else if (candidate != tag && !fallback.Contains(candidate))
                fallback.Add(candidate);
        }

        var context = Path.GetFullPath(options.Context ?? CacheFromDefaults.Context, workingDirectory);
        var dockerFile = Path.GetFullPath(options.DockerFile ?? CacheFromDefaults.DockerFile, context);
        if (!Directory.Exists(context))
            problems.Add($"docker-context '{context}' does not exist");
        else if (!File.Exists(dockerFile))
            problems.Add($"docker-file '{dockerFile}' does not exist (set docker-file, or docker-context to the folder that holds the Dockerfile)");

        foreach (var key in options.BuildArgs.Keys.Where(k => string.IsNullOrWhiteSpace(k) || k.Contains('=', StringComparison.Ordinal)))
            problems.Add($"docker-build-args has an invalid name '{key}' (use KEY=VALUE)");

        foreach (var secret in options.Secrets)
        {
            if (secret.Source == BuildSecretSource.File && !File.Exists(Path.GetFullPath(secret.Location, workingDirectory)))
                problems.Add($"docker-secrets '{secret.Id}': file '{secret.Location}' does not exist");
            else if (secret.Source == BuildSecretSource.EnvironmentVariable && env.GetValueOrDefault(secret.Location) is null)
                problems.Add($"docker-secrets '{secret.Id}': environment variable '{secret.Location}' is not set");
        }

        if (options.Lint is { } lint && !Enum.IsDefined(lint))
            problems.Add($"docker-lint '{(int)lint}' is not valid; use warn, off or error");

        if (options.CacheTtl is { } ttl && ttl <= TimeSpan.Zero)
            problems.Add($"docker-cache-ttl must be longer than zero (it is {ttl})");

        if (options.CacheFetch is { } fetch && !Enum.IsDefined(fetch))
            problems.Add($"docker-cache-fetch '{(int)fetch}' is not valid; use auto, always or never");

        if (options.Retry is not null)
            problems.AddRange(options.Retry.Validate());

        if (problems.Count > 0)
            throw new CacheFromConfigurationException(problems);

        var image = ImageReference.Parse(options.Image!, tag);
        var cache = options.Cache ?? (image.HasRegistryHost ? CacheMode.Registry : CacheMode.Tarball);
        var push = options.Push ?? cache is CacheMode.Registry or CacheMode.Both;
        // A local image (no registry host) in a run that never talks to a registry runs no credential
        // helper: a laptop's credsStore must not fail a tarball run.
        var lookup = options.Credentials is { } explicitCredentials
            ? new DockerConfigLookup(explicitCredentials, "docker-username/docker-password")
            : image.HasRegistryHost || cache is CacheMode.Registry or CacheMode.Both || push
                ? DockerConfigCredentials.Find(image.RegistryKey, env)
                : new DockerConfigLookup(null, "not looked up: no registry in use");

        return new CacheFromSettings
        {
            Image = image,
            CacheFallback = fallback,
            DockerFile = dockerFile,
            Context = context,
            Builder = options.Builder ?? CacheFromDefaults.Builder,
            Cache = cache,
            CacheDir = Path.GetFullPath(options.CacheDir ?? CacheFromDefaults.CacheDir, workingDirectory),
            Push = push,
            BuildArgs = new Dictionary<string, string>(options.BuildArgs, StringComparer.Ordinal),
            Skip = options.Skip ?? CacheFromDefaults.Skip,
            Credentials = lookup.Credentials,
            CredentialsSource = lookup.Source,
            Secrets = [.. options.Secrets],
            Ssh = options.Ssh,
            Lint = options.Lint ?? CacheFromDefaults.Lint,
            CacheTtl = options.CacheTtl ?? CacheFromDefaults.CacheTtl,
            PruneApply = options.PruneApply ?? false,

            CacheFetch = options.CacheFetch ?? CacheFromDefaults.CacheFetch,
            WorkingDirectory = workingDirectory,
            ReportDir = Path.GetFullPath(options.ReportDir ?? CacheFromDefaults.ReportDir, workingDirectory),
            DockerHost = options.DockerHost,
            RunId = options.RunId,
            Retry = options.Retry ?? new(),
        };
    }
}
