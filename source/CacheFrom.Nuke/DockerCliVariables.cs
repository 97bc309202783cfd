using System.Text.Json;
using Nuke.Common;
using Nuke.Common.IO;
using Serilog;

namespace CacheFrom.Nuke;

/// <summary>
/// Keeps NUKE's parameter lookup away from the docker CLI's own variables. NUKE fills a parameter
/// <c>DockerX</c> from the environment variable <c>DOCKER_X</c>; <c>DOCKER_CONTEXT</c> is the docker
/// CLI's context name (<c>docker context use</c>), not a build context directory, so
/// <c>docker-context</c> is read from the command line, <c>NUKE_DOCKER_CONTEXT</c> or
/// <c>.nuke/parameters.json</c> only. Also tells a bare flag (<c>--docker-push</c>) from an absent one.
/// </summary>
internal static class DockerCliVariables
{
    public const string DockerContextVariable = "DOCKER_CONTEXT";
    public const string NukeDockerContextVariable = "NUKE_DOCKER_CONTEXT";
    private const string ContextMember = "DockerContext";
    private static int _warned;

    /// <summary>The build context NUKE resolved, unless it came from the docker CLI's DOCKER_CONTEXT.</summary>
    public static string? BuildContext(string? resolved, AbsolutePath rootDirectory) =>
        BuildContext(resolved, rootDirectory, EnvironmentInfo.HasArgument(ContextMember), Environment.GetEnvironmentVariable);

    internal static string? BuildContext(string? resolved, string rootDirectory, bool onCommandLine, Func<string, string?> environment)
    {
        var cliContext = environment(DockerContextVariable);
        if (onCommandLine || string.IsNullOrEmpty(cliContext))
            return resolved;

        // Both DOCKER_CONTEXT and NUKE_DOCKER_CONTEXT set: NUKE sees two candidates and resolves neither.
        if (environment(NukeDockerContextVariable) is { Length: > 0 } nukeContext)
            return nukeContext;
        if (resolved is not null && resolved != cliContext)
            return resolved;

        if (resolved is not null && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Log.Warning(
                "DOCKER_CONTEXT ({CliContext}) names a docker CLI context, not the build context: docker-context ignores it. "
                + "Pass --docker-context, set NUKE_DOCKER_CONTEXT or DockerContext in .nuke/parameters.json",
                cliContext);
        }

        return FromParametersFile(rootDirectory);
    }

    /// <summary>True when <c>--name</c> is given without a value (NUKE reads a bare flag of a string parameter as absent).</summary>
    public static bool IsBareFlag(string dashedName)
    {
        var member = dashedName.Replace("-", "", StringComparison.Ordinal);
        return EnvironmentInfo.HasArgument(member) && EnvironmentInfo.GetNamedArgument<string[]>(member) is null or { Length: 0 };
    }

    private static string? FromParametersFile(string rootDirectory)
    {
        var file = Path.Combine(rootDirectory, ".nuke", "parameters.json");
        if (!System.IO.File.Exists(file))
            return null;
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(ContextMember, out var value)
                   && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
