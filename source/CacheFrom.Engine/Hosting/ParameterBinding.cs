using CacheFrom.Configuration;

namespace CacheFrom.Hosting;

/// <summary>The options being filled while one host's parameters are read, and what must be checked across them.</summary>
internal sealed class ParameterBinding(CacheFromOptions options, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
{
    public CacheFromOptions Options { get; } = options;

    public string WorkingDirectory { get; } = workingDirectory;

    public IReadOnlyDictionary<string, string?> Environment { get; } = environment;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Checks that span parameters; returns the problems found.</summary>
    public IEnumerable<string> Complete()
    {
        if (Username is not null && Password is not null)
            Options.Credentials = new RegistryCredentials(Username, Password);
        else if (Username is not null || Password is not null)
            yield return "docker-username and docker-password go together: set both, or neither to use the Docker config file's credentials";
    }
}
