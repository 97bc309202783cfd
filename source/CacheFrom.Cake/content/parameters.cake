using CacheFrom;
using CacheFrom.Configuration;

#nullable enable

/// <summary>
/// Reads the parameter contract the NUKE components share: each parameter from Cake's arguments
/// (<c>--docker-image=…</c>), else from its environment variable (<c>DOCKER_IMAGE</c>), else the
/// engine's default. Parsing goes through <see cref="CacheFromParameters"/>, so NUKE and Cake accept
/// the same spellings and fail with the same messages, every problem listed at once.
/// </summary>
public static class CacheFromCakeParameters
{
    /// <summary>
    /// Every parameter the recipe reads; the environment variable is the name upper-cased, '-' → '_',
    /// except docker-context (DOCKER_CONTEXT is the docker CLI's). None collides with a variable Docker
    /// reads with another meaning (DOCKER_HOST, DOCKER_CONFIG, … keep Docker's meaning; the engine reads them).
    /// </summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "docker-image", "docker-tag", "docker-cache-fallback", "docker-file", "docker-context", "docker-builder",
        "docker-cache", "docker-cache-dir", "docker-push", "docker-build-args", "docker-secrets", "docker-ssh",
        "docker-lint", "docker-username", "docker-password",
    };

    public static CacheFromOptions Read(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<string>();
        var workingDirectory = context.Environment.WorkingDirectory.FullPath;
        var options = new CacheFromOptions
        {
            Image = Value(context, "docker-image"),
            Tag = Value(context, "docker-tag"),
            CacheFallback = Values(context, "docker-cache-fallback"),
            DockerFile = Value(context, "docker-file"),
            // DOCKER_CONTEXT names a docker CLI context, not a build context: docker-context is an argument only.
            Context = Value(context, "docker-context", readEnvironment: false),
            CacheDir = Value(context, "docker-cache-dir"),
            WorkingDirectory = workingDirectory,
        };

        Collect(problems, () => options.Builder = Value(context, "docker-builder") is { } builder ? CacheFromParameters.ParseBuilder(builder) : null);
        Collect(problems, () => options.Cache = Value(context, "docker-cache") is { } cache ? CacheFromParameters.ParseCacheMode(cache) : null);
        // A bare --docker-push is true; Cake's Argument<bool> would read it as false (empty value).
        Collect(problems, () => options.Push = CacheFromParameters.ParseBool("docker-push", Raw(context, "docker-push")));
        Collect(problems, () => options.BuildArgs = CacheFromParameters.ParseBuildArgs(Values(context, "docker-build-args") ?? new List<string>()));
        Collect(problems, () => options.Secrets = CacheFromParameters.ParseSecrets(Values(context, "docker-secrets") ?? new List<string>(), workingDirectory));
        // A bare --docker-ssh forwards the default agent, like `docker build --ssh default`.
        options.Ssh = Raw(context, "docker-ssh") is { } ssh ? (ssh.Trim().Length == 0 ? "default" : ssh.Trim()) : null;
        Collect(problems, () => options.Lint = Value(context, "docker-lint") is { } lint ? CacheFromParameters.ParseLintMode(lint) : null);

        var username = Value(context, "docker-username");
        var password = Value(context, "docker-password");
        if (username is not null && password is not null)
            options.Credentials = new RegistryCredentials(username, password);
        else if (username is not null || password is not null)
            problems.Add("docker-username and docker-password go together: set both, or neither to use the Docker config file's credentials");

        if (problems.Count > 0)
            throw new CacheFromConfigurationException(problems);
        return options;
    }

    /// <summary>The environment variable of a parameter: <c>docker-cache-dir</c> → <c>DOCKER_CACHE_DIR</c>.</summary>
    public static string EnvironmentVariableName(string name) => name.ToUpperInvariant().Replace('-', '_');

    /// <summary>The argument's last value ("" for a bare flag), else a non-empty environment variable, else null.</summary>
    private static string? Raw(ICakeContext context, string name, bool readEnvironment = true)
    {
        if (context.Arguments.HasArgument(name))
            return context.Arguments.GetArguments(name).LastOrDefault() ?? "";
        if (!readEnvironment)
            return null;
        var value = context.Environment.GetEnvironmentVariable(EnvironmentVariableName(name));
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string? Value(ICakeContext context, string name, bool readEnvironment = true) =>
        Raw(context, name, readEnvironment) is { } value && value.Trim().Length > 0 ? value.Trim() : null;

    /// <summary>
    /// Repeated arguments (<c>--docker-build-args A=1 --docker-build-args B=2</c>), else the environment
    /// variable split on whitespace, as NUKE splits it; null when neither is given.
    /// </summary>
    private static IList<string>? Values(ICakeContext context, string name)
    {
        if (context.Arguments.HasArgument(name))
            return context.Arguments.GetArguments(name).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();
        var value = context.Environment.GetEnvironmentVariable(EnvironmentVariableName(name));
        return string.IsNullOrWhiteSpace(value)
            ? null
            : value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

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

#nullable restore
