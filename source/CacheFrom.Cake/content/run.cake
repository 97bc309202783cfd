using System.Text.Json;

#nullable enable

/// <summary>
/// One Cake run of the recipe (its Setup's data): one run id for every task, so the tool's separate
/// processes continue one run (one record, one report), and the plan the tool made of this run's
/// parameters. Every call passes the same things: the run id, Cake's verbosity, the recipe's
/// defaults (<c>--default</c>) and Cake's <c>docker-*</c> arguments as given (in the environment). The recipe holds no
/// parameter list: the tool reads, splits, checks and defaults them, and reads the environment itself.
/// </summary>
public sealed class CacheFromCakeRun
{
    private readonly ICakeContext _context;
    private readonly CacheFromTool _tool;
    private readonly CacheFromToolSettings _settings;
    private readonly Dictionary<string, (string Verb, string? SkipReason)> _plan = new Dictionary<string, (string, string?)>(StringComparer.OrdinalIgnoreCase);

    private CacheFromCakeRun(ICakeContext context, FilePath? toolPath)
    {
        _context = context;
        _tool = new CacheFromTool(context);
        _settings = new CacheFromToolSettings { ToolPath = toolPath };
        RunId = Guid.NewGuid().ToString("N");
    }

    public string RunId { get; }

    /// <summary>
    /// Plans the run when it executes any of the recipe's tasks: <c>cachefrom plan --json</c> checks
    /// the parameters (bad ones end the run here, before any task, with the tool's message) and says
    /// which steps are skipped and why; those tasks get a criteria with that reason, so Cake shows
    /// them Skipped with it. The target itself always runs (Cake fails a run whose target is
    /// skipped): the tool then records the step as skipped and logs why.
    /// </summary>
    public static CacheFromCakeRun Start(ISetupContext context, IReadOnlyCollection<CakeTaskBuilder> recipeTasks, Func<ICakeContext, FilePath?> locateTool)
    {
        var names = new HashSet<string>(recipeTasks.Select(t => t.Task.Name), StringComparer.OrdinalIgnoreCase);
        var planned = context.TasksToExecute.Where(t => names.Contains(t.Name)).ToList();
        if (planned.Count == 0)
            return new CacheFromCakeRun(context, toolPath: null);

        var run = new CacheFromCakeRun(context, locateTool(context));
        run.Plan();
        foreach (var task in planned.OfType<CakeTask>())
        {
            _ = run.Verb(task.Name); // a recipe and a tool of different versions fail here, before any task
            if (run.SkipReason(task.Name) is { } reason && !string.Equals(task.Name, context.TargetTask?.Name, StringComparison.OrdinalIgnoreCase))
                task.Criterias.Add(new CakeTaskCriteria(_ => false, reason));
        }

        return run;
    }

    /// <summary>Runs the task's step: <c>cachefrom VERB</c>, continuing this run.</summary>
    public void Step(string task) => Call(Verb(task));

    /// <summary>DockerPublish's own action after its steps: the run's report.</summary>
    public void Report() => Call("report");

    private string? SkipReason(string task) => _plan.TryGetValue(task, out var step) ? step.SkipReason : null;

    private string Verb(string task) =>
        _plan.TryGetValue(task, out var step)
            ? step.Verb
            : throw new CakeException($"CacheFrom: the cachefrom tool has no step {task}; use the CacheFrom.Tool version of this recipe");

    private void Plan()
    {
        var output = _tool.Run(_settings, "plan", CommandLine("plan").Append("--json"), HostParameters(), captureOutput: true);
        var json = output.LastOrDefault(line => line.TrimStart().StartsWith("{", StringComparison.Ordinal))
            ?? throw new CakeException("CacheFrom: cachefrom plan --json printed no plan");
        using var document = JsonDocument.Parse(json);
        foreach (var step in document.RootElement.GetProperty("steps").EnumerateArray())
        {
            var reason = step.GetProperty("skipReason");
            _plan[step.GetProperty("name").GetString()!] = (step.GetProperty("verb").GetString()!, reason.ValueKind == JsonValueKind.String ? reason.GetString() : null);
        }
    }

    private void Call(string verb) => _tool.Run(_settings, verb, CommandLine(verb), HostParameters());

    private ProcessArgumentBuilder CommandLine(string verb)
    {
        var arguments = new ProcessArgumentBuilder()
            .Append(verb)
            .AppendSwitch("--run-id", "=", RunId)
            .AppendSwitch("--verbosity", "=", ToolVerbosity(_context.Log.Verbosity));
        foreach (var (name, value) in CacheFromRecipe.Defaults)
            arguments.AppendSwitchQuoted("--default", "=", name + "=" + value);
        return arguments;
    }

    /// <summary>
    /// Cake's arguments named docker-*, handed to the tool in CACHEFROM_HOST_PARAMETERS, not on its
    /// command line: some are credentials, and a command line is visible to every user of the machine
    /// (<c>ps</c>). They rank as the tool's own options. A bare flag, which Cake holds as one null value,
    /// is an empty list (the tool reads it as true, an empty list or docker-ssh's default).
    /// </summary>
    private IDictionary<string, string> HostParameters()
    {
        var parameters = _context.Arguments.GetArguments()
            .Where(argument => argument.Key.StartsWith("docker-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(argument => argument.Key.ToLowerInvariant(), argument => argument.Value.Where(value => value is not null).ToArray());
        return new Dictionary<string, string> { ["CACHEFROM_HOST_PARAMETERS"] = JsonSerializer.Serialize(parameters) };
    }

    private static string ToolVerbosity(Verbosity verbosity) => verbosity switch
    {
        Verbosity.Quiet => "quiet",
        Verbosity.Minimal => "minimal",
        Verbosity.Verbose => "detailed",
        Verbosity.Diagnostic => "diagnostic",
        _ => "normal",
    };
}

#nullable restore
