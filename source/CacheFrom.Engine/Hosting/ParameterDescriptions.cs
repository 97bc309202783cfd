namespace CacheFrom.Hosting;

/// <summary>
/// The parameters' one-line descriptions, as constants: the parameter table uses them, and so do
/// hosts whose parameters are attributes (NUKE's <c>[Parameter("…")]</c> needs a constant).
/// </summary>
public static class ParameterDescriptions
{
    public const string Image = "Repository of the image, registry host included (registry.example.com/team/app)";

    public const string Tag = "Tag of this build";

    public const string CacheFallback = "Further candidate cache tags, best first";

    public const string File = "The Dockerfile, relative to docker-context";

    public const string Context = "Build context directory (never read from DOCKER_CONTEXT, the docker CLI's context name)";

    public const string Builder = "Builder: buildkit or classic";

    public const string Cache = "Where the cache travels: registry, tarball, both or none";

    public const string CacheDir = "Tarball store (a shared directory)";

    public const string CacheFetch = "Fetch each stage's cache: auto (skip it when the history predicts it costs more than it saves), always or never";

    public const string Push = "Push the images: true or false";

    public const string CacheSkip = "Skip a stage whose inputs are unchanged since its cache image was built: true or false (false builds every stage)";

    public const string BuildArgs = "Build arguments, KEY=VALUE (a bare KEY takes the environment variable's value)";

    public const string Secrets = "Build secrets for RUN --mount=type=secret: id=ENV_VAR or id=path/to/file";

    public const string Ssh = "Forward an ssh-agent to RUN --mount=type=ssh: default (SSH_AUTH_SOCK) or a socket path";

    public const string Lint = "Preflight lint of the Dockerfile and context: warn, off or error (findings fail the run before Docker is touched)";

    public const string CacheTtl = "PruneCache deletes the cache-only tags and tarballs of branches whose cache was last written longer ago than this: 14d, 36h, 2w";

    public const string PruneApply = "PruneCache deletes what it found: true or false (false lists what would go, with sizes)";

    public const string Username = "Registry user name";

    public const string Password = "Registry password or token";
}
