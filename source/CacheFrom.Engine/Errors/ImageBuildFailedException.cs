namespace CacheFrom;

/// <summary>A build failed: names the failing step and carries its last output lines.</summary>
public sealed class ImageBuildFailedException : CacheFromException
{
    public ImageBuildFailedException(string message, string? failedStep, IReadOnlyList<string> lastOutput, Exception? innerException = null)
        : base(message, innerException)
    {
        FailedStep = failedStep;
        LastOutput = lastOutput;
    }

    /// <summary>The Dockerfile instruction that failed, when the engine said which.</summary>
    public string? FailedStep { get; }

    public IReadOnlyList<string> LastOutput { get; }

    /// <summary>The instructions the builder finished before it failed, as it reported them.</summary>
    internal IReadOnlyList<Docker.Build.BuildInstruction> Finished { get; set; } = [];
}
