using System.CommandLine;
using System.Text.Json;
using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Hosting;
using Serilog;

namespace CacheFrom.Tool.CommandLine;

/// <summary>
/// Runs one verb in one process: the log, the run (options read once, the BuildKit session), and
/// the single error message and exit code a CI step acts on. No stack traces for errors a user can fix.
/// </summary>
internal sealed class VerbRunner(ParameterOptions parameters, HostOptions host, HostParameters hostParameters)
{
    public async Task<int> RunAsync(ParseResult parseResult, Func<CacheFromRun, Task> verb)
    {
        if (ConsoleLog.ParseVerbosity(parseResult.GetValue(host.Verbosity)) is not { } level)
            return InvalidVerbosity(parseResult);
        using var logger = ConsoleLog.Create(level);
        try
        {
            await using var run = new CacheFromRun(() => ReadOptions(parseResult), logger, BuildKitSessionHost.Create(logger));
            // Parameters are checked before anything touches Docker, every problem at once.
            _ = run.Settings;
            await verb(run).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (CacheFromException exception)
        {
            logger.Error("{Message}", exception.Message);
            return ExitCodes.For(exception);
        }
    }

    public int Plan(ParseResult parseResult, bool json)
    {
        if (ConsoleLog.ParseVerbosity(parseResult.GetValue(host.Verbosity)) is not { } level)
            return InvalidVerbosity(parseResult);
        using var logger = ConsoleLog.Create(level);
        CacheFromSettings settings;
        try
        {
            settings = CacheFromSettings.Resolve(ReadOptions(parseResult));
        }
        catch (CacheFromException exception)
        {
            logger.Error("{Message}", exception.Message);
            return ExitCodes.For(exception);
        }

        var steps = CacheFromStepTable.All.Select(step => new PlannedStep(step.Name, step.Verb, step.SkipReason(settings))).ToList();
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new PlanDocument(settings.Image.ToString(), steps), PlanJson.Options));
            return ExitCodes.Success;
        }

        logger.Information("{Image}: docker-cache {Cache}, docker-builder {Builder}", settings.Image.ToString(), settings.Cache.ToString().ToLowerInvariant(), settings.Builder.ToString().ToLowerInvariant());
        foreach (var step in steps)
        {
            if (step.SkipReason is null)
                logger.Information("{Step} runs", step.Name);
            else
                logger.Information("{Step} is skipped: {Reason}", step.Name, step.SkipReason);
        }

        return ExitCodes.Success;
    }

    private CacheFromOptions ReadOptions(ParseResult parseResult)
    {
        var options = ParameterReader.Read(parameters.Source(parseResult, hostParameters), Directory.GetCurrentDirectory(), defaults: host.DefaultsOf(parseResult));
        options.RunId = host.RunIdOf(parseResult);
        return options;
    }

    private int InvalidVerbosity(ParseResult parseResult)
    {
        Console.Error.WriteLine($"error: --verbosity '{parseResult.GetValue(host.Verbosity)}' is not quiet, minimal, normal, detailed or diagnostic");
        return ExitCodes.InvalidInput;
    }

    private sealed record PlannedStep(string Name, string Verb, string? SkipReason);

    private sealed record PlanDocument(string Image, IReadOnlyList<PlannedStep> Steps);

    private static class PlanJson
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}
