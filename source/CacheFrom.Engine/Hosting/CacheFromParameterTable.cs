using CacheFrom.Configuration;

namespace CacheFrom.Hosting;

/// <summary>
/// The parameter contract every host shares, as data: one row per parameter. NUKE's component
/// declares one <c>[Parameter]</c> member per row (a test holds it to this table), the dotnet tool
/// generates its options and <c>--help</c> from it, and the Cake recipe passes its arguments through.
/// </summary>
public static class CacheFromParameterTable
{
    public static ParameterDefinition Image { get; } = new(
        "docker-image", ParameterKind.Text,
        ParameterDescriptions.Image,
        "required",
        (b, v) => b.Options.Image = v[^1]);

    public static ParameterDefinition Tag { get; } = new(
        "docker-tag", ParameterKind.Text,
        ParameterDescriptions.Tag,
        $"the current branch (CI variables, else .git/HEAD), sanitised to a legal tag; {CacheFromDefaults.FallbackTag} when none",
        (b, v) => b.Options.Tag = v[^1]);

    public static ParameterDefinition CacheFallback { get; } = new(
        "docker-cache-fallback", ParameterKind.List,
        ParameterDescriptions.CacheFallback,
        string.Join(' ', CacheFromDefaults.CacheFallback),
        (b, v) => b.Options.CacheFallback = [.. v],
        splitsValues: true);

    public static ParameterDefinition File { get; } = new(
        "docker-file", ParameterKind.Text,
        ParameterDescriptions.File,
        CacheFromDefaults.DockerFile,
        (b, v) => b.Options.DockerFile = v[^1]);

    // DOCKER_CONTEXT is the docker CLI's context name (docker context use), not a directory.
    public static ParameterDefinition Context { get; } = new(
        "docker-context", ParameterKind.Text,
        ParameterDescriptions.Context,
        "the working directory",
        (b, v) => b.Options.Context = v[^1],
        readsEnvironment: false);

    public static ParameterDefinition Builder { get; } = new(
        "docker-builder", ParameterKind.Text,
        ParameterDescriptions.Builder,
        "buildkit",
        (b, v) => b.Options.Builder = CacheFromParameters.ParseBuilder(v[^1]));

    public static ParameterDefinition Cache { get; } = new(
        "docker-cache", ParameterKind.Text,
        ParameterDescriptions.Cache,
        "registry when docker-image names a registry host, else tarball",
        (b, v) => b.Options.Cache = CacheFromParameters.ParseCacheMode(v[^1]));

    public static ParameterDefinition CacheDir { get; } = new(
        "docker-cache-dir", ParameterKind.Text,
        ParameterDescriptions.CacheDir,
        CacheFromDefaults.CacheDir,
        (b, v) => b.Options.CacheDir = v[^1]);

    public static ParameterDefinition Push { get; } = new(
        "docker-push", ParameterKind.Switch,
        ParameterDescriptions.Push,
        "true when docker-cache uses the registry",
        (b, v) => b.Options.Push = CacheFromParameters.ParseBool("docker-push", v[^1]));

    public static ParameterDefinition CacheSkip { get; } = new(
        "docker-cache-skip", ParameterKind.Switch,
        ParameterDescriptions.CacheSkip,
        "true",
        (b, v) => b.Options.Skip = CacheFromParameters.ParseBool("docker-cache-skip", v[^1]));

    public static ParameterDefinition BuildArgs { get; } = new(
        "docker-build-args", ParameterKind.List,
        ParameterDescriptions.BuildArgs,
        "none",
        (b, v) => b.Options.BuildArgs = CacheFromParameters.ParseBuildArgs(v, b.Environment));

    public static ParameterDefinition Secrets { get; } = new(
        "docker-secrets", ParameterKind.List,
        ParameterDescriptions.Secrets,
        "none",
        (b, v) => b.Options.Secrets = CacheFromParameters.ParseSecrets(v, b.WorkingDirectory));

    public static ParameterDefinition Ssh { get; } = new(
        "docker-ssh", ParameterKind.Text,
        ParameterDescriptions.Ssh,
        "off",
        (b, v) => b.Options.Ssh = v[^1],
        bareValue: "default");

    public static ParameterDefinition Lint { get; } = new(
        "docker-lint", ParameterKind.Text,
        ParameterDescriptions.Lint,
        "warn",
        (b, v) => b.Options.Lint = CacheFromParameters.ParseLintMode(v[^1]));

    public static ParameterDefinition CacheTtl { get; } = new(
        "docker-cache-ttl", ParameterKind.Text,
        ParameterDescriptions.CacheTtl,
        "14d",
        (b, v) => b.Options.CacheTtl = CacheFromParameters.ParseDuration("docker-cache-ttl", v[^1]));

    public static ParameterDefinition PruneApply { get; } = new(
        "docker-prune-apply", ParameterKind.Switch,
        ParameterDescriptions.PruneApply,
        "false (PruneCache lists what would go, with sizes, and deletes nothing)",
        (b, v) => b.Options.PruneApply = CacheFromParameters.ParseBool("docker-prune-apply", v[^1]));

    public static ParameterDefinition CacheFetch { get; } = new(
        "docker-cache-fetch", ParameterKind.Text,
        ParameterDescriptions.CacheFetch,
        "auto",
        (b, v) => b.Options.CacheFetch = CacheFromParameters.ParseCacheFetchMode(v[^1]));

    public static ParameterDefinition Username { get; } = new(
        "docker-username", ParameterKind.Text,
        ParameterDescriptions.Username,
        "the Docker config file's credentials for the registry (credential helpers included)",
        (b, v) => b.Username = v[^1]);

    public static ParameterDefinition Password { get; } = new(
        "docker-password", ParameterKind.Text,
        ParameterDescriptions.Password,
        "the Docker config file's credentials for the registry (credential helpers included)",
        (b, v) => b.Password = v[^1],
        isSecret: true);

    /// <summary>Every parameter, in the order help and docs list them.</summary>
    public static IReadOnlyList<ParameterDefinition> All { get; } =
    [
        Image, Tag, CacheFallback, File, Context, Builder, Cache, CacheDir, CacheFetch, Push, CacheSkip, BuildArgs, Secrets, Ssh, Lint, CacheTtl, PruneApply, Username, Password,
    ];

    /// <summary>The row named <paramref name="name"/> (<c>docker-image</c>), or null.</summary>
    public static ParameterDefinition? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
