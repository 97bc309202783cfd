using CacheFrom.Configuration;
using CacheFrom.Hosting;
using JetBrains.Annotations;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.Tooling;

namespace CacheFrom.Nuke;

/// <summary>
/// The Docker build-cache parameters: one member per row of the engine's
/// <see cref="CacheFromParameterTable"/> (a test holds the two together), spelled
/// <c>--docker-image</c> on the command line, <c>DOCKER_IMAGE</c> in the environment and
/// <c>"DockerImage"</c> in <c>.nuke/parameters.json</c>. Values stay strings here; the engine's
/// <see cref="ParameterReader"/> splits and parses them, so every host accepts the same spellings
/// and fails with the same messages. Defaults are the engine's (<see cref="CacheFromDefaults"/>).
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

    [Parameter(ParameterDescriptions.Image)]
    string? Image => TryGetValue(() => Image);

    [Parameter(ParameterDescriptions.Tag)]
    string? Tag => TryGetValue(() => Tag);

    [Parameter(ParameterDescriptions.CacheFallback, Separator = " ")]
    string[]? CacheFallback => TryGetValue(() => CacheFallback);

    [Parameter(ParameterDescriptions.File)]
    string? File => TryGetValue(() => File);

    [Parameter(ParameterDescriptions.Context)]
    string? Context => DockerCliVariables.BuildContext(TryGetValue(() => Context), RootDirectory);

    [Parameter(ParameterDescriptions.Builder)]
    string? Builder => TryGetValue(() => Builder);

    [Parameter(ParameterDescriptions.Cache)]
    string? Cache => TryGetValue(() => Cache);

    [Parameter(ParameterDescriptions.CacheDir)]
    string? CacheDir => TryGetValue(() => CacheDir);

    [Parameter(ParameterDescriptions.CacheFetch)]
    string? CacheFetch => TryGetValue(() => CacheFetch);

    [Parameter(ParameterDescriptions.Push)]
    string? Push => TryGetValue(() => Push);

    [Parameter(ParameterDescriptions.CacheSkip)]
    string? CacheSkip => TryGetValue(() => CacheSkip);

    [Parameter(ParameterDescriptions.BuildArgs, Separator = " ")]
    string[]? BuildArgs => TryGetValue(() => BuildArgs);

    [Parameter(ParameterDescriptions.Secrets, Separator = " ")]
    string[]? Secrets => TryGetValue(() => Secrets);

    [Parameter(ParameterDescriptions.Ssh)]
    string? Ssh => TryGetValue(() => Ssh);

    [Parameter(ParameterDescriptions.Lint)]
    string? Lint => TryGetValue(() => Lint);

    [Parameter(ParameterDescriptions.CacheTtl)]
    string? CacheTtl => TryGetValue(() => CacheTtl);

    [Parameter(ParameterDescriptions.PruneApply)]
    string? PruneApply => TryGetValue(() => PruneApply);

    [Parameter(ParameterDescriptions.Username)]
    string? Username => TryGetValue(() => Username);

    [Parameter(ParameterDescriptions.Password)]
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

    /// <summary>The parameters above, read by the engine's <see cref="ParameterReader"/>; paths start at the root directory.</summary>
    sealed Configure<CacheFromOptions> DockerCacheSettingsBase => _ =>
    {
        var options = ParameterReader.Read(new NukeParameterSource(this), RootDirectory);
        options.ReportDir = DockerCacheReportDirectory;
        return options;
    };

    /// <summary>
    /// Customisation hook, applied after the parameters, e.g. a repository's defaults:
    /// <c>Configure&lt;CacheFromOptions&gt; IHazDockerCache.DockerCacheSettings => _ => { _.Image ??= "registry.example.com/team/app"; return _; };</c>
    /// </summary>
    Configure<CacheFromOptions> DockerCacheSettings => _ => _;
}
