using CacheFrom.Configuration;

namespace CacheFrom.Nuke;

/// <summary>
/// Maps <see cref="IHazDockerCache"/>'s strings onto the engine's options through
/// <see cref="CacheFromParameters"/>: the same spellings and messages as the Cake recipe, every
/// problem listed at once. Relative paths start at the build's root directory.
/// </summary>
internal static class DockerCacheParameters
{
    public static CacheFromOptions Read(IHazDockerCache build, CacheFromOptions options)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var root = (string)build.RootDirectory;

        options.WorkingDirectory = root;
        options.ReportDir = build.DockerCacheReportDirectory;
        options.Image = Value(build.Image);
        options.Tag = Value(build.Tag);
        options.CacheFallback = Values(build.CacheFallback);
        options.DockerFile = Value(build.File);
        options.Context = Value(build.Context);
        options.CacheDir = Value(build.CacheDir);

        Collect(problems, () => options.Builder = Value(build.Builder) is { } builder ? CacheFromParameters.ParseBuilder(builder) : null);
        Collect(problems, () => options.Cache = Value(build.Cache) is { } cache ? CacheFromParameters.ParseCacheMode(cache) : null);
        Collect(problems, () => options.Push = CacheFromParameters.ParseBool("docker-push", build.Push));
        Collect(problems, () => options.BuildArgs = CacheFromParameters.ParseBuildArgs(Values(build.BuildArgs) ?? []));
        Collect(problems, () => options.Secrets = CacheFromParameters.ParseSecrets(Values(build.Secrets) ?? [], root));
        options.Ssh = Value(build.Ssh);

        var username = Value(build.Username);
        var password = Value(build.Password);
        if (username is not null && password is not null)
            options.Credentials = new RegistryCredentials(username, password);
        else if (username is not null || password is not null)
            problems.Add("docker-username and docker-password go together: set both, or neither to use the Docker config file's credentials");

        if (problems.Count > 0)
            throw new CacheFromConfigurationException(problems);
        return options;
    }

    private static string? Value(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Null when not given; an explicitly empty list stays empty (e.g. no fallback tags).</summary>
    private static List<string>? Values(string[]? values) =>
        values?.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();

    private static void Collect(List<string> problems, Action parse)
    {
        try
        {
            parse();
        }
        catch (CacheFromConfigurationException exception)
        {
            problems.AddRange(exception.Problems);
        }
    }
}
