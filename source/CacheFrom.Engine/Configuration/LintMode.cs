namespace CacheFrom.Configuration;

/// <summary>What the preflight lint (<c>docker-lint</c>) does with what it finds in the Dockerfile and the context.</summary>
public enum LintMode
{
    /// <summary>Each finding is a warning in the log and a line in the report; the build goes on. Default.</summary>
    Warn,

    /// <summary>No lint.</summary>
    Off,

    /// <summary>Any finding fails the run before anything touches Docker, with one message listing them all.</summary>
    Error,
}
