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
        "Repository of the image, registry host included (registry.example.com/team/app)",
        "required",
        (b, v) => b.Options.Image = v[^1]);

    public static ParameterDefinition Tag { get; } = new(
        "docker-tag", ParameterKind.Text,
        "Tag of this build",
        $"the current branch (CI variables, else .git/HEAD), sanitised to a legal tag; {CacheFromDefaults.FallbackTag} when none",
        (b, v) => b.Options.Tag = v[^1]);

    public static ParameterDefinition CacheFallback { get; } = new(
        "docker-cache-fallback", ParameterKind.List,
        "Further candidate cache tags, best first",
        string.Join(' ', CacheFromDefaults.CacheFallback),
        (b, v) => b.Options.CacheFallback = [.. v],
        splitsValues: true);

    public static ParameterDefinition File { get; } = new(
        "docker-file", ParameterKind.Text,
        "The Dockerfile, relative to docker-context",
        CacheFromDefaults.DockerFile,
        (b, v) => b.Options.DockerFile = v[^1]);

    // DOCKER_CONTEXT is the docker CLI's context name (docker context use), not a directory.
    public static ParameterDefinition Context { get; } = new(
        "docker-context", ParameterKind.Text,
        "Build context directory (never read from DOCKER_CONTEXT, the docker CLI's context name)",
        "the working directory",
        (b, v) => b.Options.Context = v[^1],
        readsEnvironment: false);

    public static ParameterDefinition Builder { get; } = new(
        "docker-builder", ParameterKind.Text,
        "Builder: buildkit or classic",
        "buildkit",
        (b, v) => b.Options.Builder = CacheFromParameters.ParseBuilder(v[^1]));

    public static ParameterDefinition Cache { get; } = new(
        "docker-cache", ParameterKind.Text,
        "Where the cache travels: registry, tarball, both or none",
        "registry when docker-image names a registry host, else tarball",
        (b, v) => b.Options.Cache = CacheFromParameters.ParseCacheMode(v[^1]));

    public static ParameterDefinition CacheDir { get; } = new(
        "docker-cache-dir", ParameterKind.Text,
        "Tarball store (a shared directory)",
        CacheFromDefaults.CacheDir,
        (b, v) => b.Options.CacheDir = v[^1]);

    public static ParameterDefinition Push { get; } = new(
        "docker-push", ParameterKind.Switch,
        "Push the images: true or false",
        "true when docker-cache uses the registry",
        (b, v) => b.Options.Push = CacheFromParameters.ParseBool("docker-push", v[^1]));

    public static ParameterDefinition BuildArgs { get; } = new(
        "docker-build-args", ParameterKind.List,
        "Build arguments, KEY=VALUE (a bare KEY takes the environment variable's value)",
        "none",
        (b, v) => b.Options.BuildArgs = CacheFromParameters.ParseBuildArgs(v, b.Environment));

    public static ParameterDefinition Secrets { get; } = new(
        "docker-secrets", ParameterKind.List,
        "Build secrets for RUN --mount=type=secret: id=ENV_VAR or id=path/to/file",
        "none",
        (b, v) => b.Options.Secrets = CacheFromParameters.ParseSecrets(v, b.WorkingDirectory));

    public static ParameterDefinition Ssh { get; } = new(
        "docker-ssh", ParameterKind.Text,
        "Forward an ssh-agent to RUN --mount=type=ssh: default (SSH_AUTH_SOCK) or a socket path",
        "off",
        (b, v) => b.Options.Ssh = v[^1],
        bareValue: "default");

    public static ParameterDefinition Username { get; } = new(
        "docker-username", ParameterKind.Text,
        "Registry user name",
        "the Docker config file's credentials for the registry (credential helpers included)",
        (b, v) => b.Username = v[^1],
        isSecret: true);

    public static ParameterDefinition Password { get; } = new(
        "docker-password", ParameterKind.Text,
        "Registry password or token",
        "the Docker config file's credentials for the registry (credential helpers included)",
        (b, v) => b.Password = v[^1],
        isSecret: true);

    /// <summary>Every parameter, in the order help and docs list them.</summary>
    public static IReadOnlyList<ParameterDefinition> All { get; } =
    [
        Image, Tag, CacheFallback, File, Context, Builder, Cache, CacheDir, Push, BuildArgs, Secrets, Ssh, Username, Password,
    ];

    /// <summary>The row named <paramref name="name"/> (<c>docker-image</c>), or null.</summary>
    public static ParameterDefinition? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
