using CacheFrom.Configuration;
using JetBrains.Annotations;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.Tooling;

namespace CacheFrom.Nuke;

/// <summary>
/// The Docker build-cache parameters: the contract every CacheFrom host shares, spelled
/// <c>--docker-image</c> on the command line, <c>DOCKER_IMAGE</c> in the environment and
/// <c>"DockerImage"</c> in <c>.nuke/parameters.json</c>. Values stay strings here; the engine's
/// <see cref="CacheFromParameters"/> parses them, so NUKE and Cake accept the same spellings and
/// fail with the same messages. Defaults are the engine's (<see cref="CacheFromDefaults"/>).
/// </summary>
/// <remarks>
/// No member is named after a variable Docker reads with another meaning: there is no
/// <c>DockerHost</c>, <c>DockerConfig</c>, <c>DockerBuildkit</c>, <c>DockerCertPath</c> or
/// <c>DockerTlsVerify</c> (the engine reads <c>DOCKER_HOST</c> and <c>DOCKER_CONFIG</c> itself, with
/// Docker's meaning). <c>DOCKER_CONTEXT</c> names a docker CLI context, not a build context, so
/// <see cref="Context"/> never takes its value from that variable (see <see cref="DockerCliVariables"/>).
/// </remarks>
[PublicAPI]
[ParameterPrefix(Docker)]
public interface IHazDockerCache : INukeBuild
{
    public const string Docker = nameof(Docker);

    [Parameter("Repository of the image, registry host included (registry.example.com/team/app) - required")]
    string? Image => TryGetValue(() => Image);

    [Parameter("Tag of this build - default: the current branch, sanitised to a legal tag")]
    string? Tag => TryGetValue(() => Tag);

    [Parameter("Further candidate cache tags, best first - default: main master", Separator = " ")]
    string[]? CacheFallback => TryGetValue(() => CacheFallback);

    [Parameter("Dockerfile, relative to docker-context - default: Dockerfile")]
    string? File => TryGetValue(() => File);

    [Parameter("Build context directory, relative to the root directory - default: the root directory")]
    string? Context => DockerCliVariables.BuildContext(TryGetValue(() => Context), RootDirectory);

    [Parameter("Builder: buildkit or classic - default: buildkit")]
    string? Builder => TryGetValue(() => Builder);

    [Parameter("Cache: registry, tarball, both or none - default: registry when docker-image names a registry host, else tarball")]
    string? Cache => TryGetValue(() => Cache);

    [Parameter("Tarball store (a shared directory) - default: .nuke/temp/docker-cache")]
    string? CacheDir => TryGetValue(() => CacheDir);

    [Parameter("Push the images: true or false - default: true when docker-cache uses the registry")]
    string? Push => TryGetValue(() => Push) ?? (DockerCliVariables.IsBareFlag("docker-push") ? "true" : null);

    [Parameter("Build arguments, KEY=VALUE (a bare KEY takes the environment variable's value)", Separator = " ")]
    string[]? BuildArgs => TryGetValue(() => BuildArgs);

    [Parameter("Build secrets for RUN --mount=type=secret: id=ENV_VAR or id=path/to/file", Separator = " ")]
    string[]? Secrets => TryGetValue(() => Secrets);

    [Parameter("Forward an ssh-agent to RUN --mount=type=ssh: default (SSH_AUTH_SOCK) or a socket path")]
    string? Ssh => TryGetValue(() => Ssh) ?? (DockerCliVariables.IsBareFlag("docker-ssh") ? "default" : null);

    [Parameter("Registry user name - default: the Docker config file's credentials for the registry")]
    [Secret]
    string? Username => TryGetValue(() => Username);

    [Parameter("Registry password or token - default: the Docker config file's credentials for the registry")]
    [Secret]
    string? Password => TryGetValue(() => Password);

    /// <summary>Where each run's record (<c>run.json</c>) and reports go: <c>.nuke/temp/cachefrom</c>.</summary>
    AbsolutePath DockerCacheReportDirectory => TemporaryDirectory / "cachefrom";

    /// <summary>The tarball store as this build sees it (for <c>Produces</c>); the engine resolves the same path.</summary>
    AbsolutePath DockerCacheDirectory => (AbsolutePath)Path.GetFullPath(CacheDir ?? CacheFromDefaults.CacheDir, RootDirectory);

    /// <summary>
    /// The engine's options from these parameters, <see cref="DockerCacheSettingsBase"/> first, then
    /// <see cref="DockerCacheSettings"/>. Throws one <see cref="CacheFromConfigurationException"/> listing every problem.
    /// </summary>
    CacheFromOptions DockerCacheOptions => DockerCacheSettings(DockerCacheSettingsBase(new CacheFromOptions()));

    /// <summary>The parameters above, parsed by <see cref="CacheFromParameters"/>; paths start at the root directory.</summary>
    sealed Configure<CacheFromOptions> DockerCacheSettingsBase => options => DockerCacheParameters.Read(this, options);

    /// <summary>
    /// Customisation hook, applied after the parameters, e.g. a repository's defaults:
    /// <c>Configure&lt;CacheFromOptions&gt; IHazDockerCache.DockerCacheSettings => _ => { _.Image ??= "registry.example.com/team/app"; return _; };</c>
    /// </summary>
    Configure<CacheFromOptions> DockerCacheSettings => _ => _;
}
