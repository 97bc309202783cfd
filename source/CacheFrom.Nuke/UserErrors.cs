using CacheFrom.Hosting;
using Nuke.Common;

namespace CacheFrom.Nuke;

/// <summary>
/// Errors a user can fix (a bad parameter, a missing Dockerfile, an engine that isn't running) end a
/// target with their one message, in the log and in the target summary, and without a .NET stack
/// trace: NUKE logs a failed target's exception with <c>ToString()</c> and puts its type and first
/// line in the summary, so the failure NUKE sees is one whose text is that message.
/// </summary>
internal static class UserErrors
{
    public static async Task ReportAsync(INukeBuild build, StepDefinition target, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (CacheFromException exception)
        {
            build.ReportSummary(summary =>
            {
                summary["Error"] = SummaryLine(exception.Message);
                return summary;
            });
            throw new DockerCacheFailure(target.Name, exception);
        }
    }

    // The summary has one line per target: a list of problems shows its first one and how many follow.
    private static string SummaryLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length <= 1)
            return message.Trim();
        var first = lines[0].TrimEnd(':') + ": " + lines[1].TrimStart('-', ' ');
        return lines.Length == 2 ? first : $"{first} (and {lines.Length - 2} more)";
    }

    /// <summary>A target's failure whose text is the engine's message alone; the original stays as the inner exception for debuggers.</summary>
    private sealed class DockerCacheFailure(string target, CacheFromException exception)
        : Exception($"{target}: {exception.Message}", exception)
    {
        public override string? StackTrace => null;

        public override string ToString() => Message;
    }
}
