namespace CacheFrom.Tool;

/// <summary>What the process exit code tells a CI step (documented in docs/tool.md).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The build or the push of the image failed.</summary>
    public const int Failed = 1;

    /// <summary>Invalid parameters or command line, or lint findings in docker-lint=error mode: nothing touched Docker.</summary>
    public const int InvalidInput = 2;

    /// <summary>No Docker engine answered, or it went away.</summary>
    public const int EngineUnavailable = 3;

    /// <summary>The registry refused or failed the image's push (credentials, unreachable).</summary>
    public const int RegistryFailed = 4;

    /// <summary>Ctrl+C.</summary>
    public const int Cancelled = 130;

    public static int For(CacheFromException exception) => exception switch
    {
        CacheFromConfigurationException or DockerfileLintException => InvalidInput,
        DockerEngineUnavailableException => EngineUnavailable,
        RegistryException => RegistryFailed,
        { InnerException: OperationCanceledException } => Cancelled,
        _ => Failed,
    };
}
