using System.CommandLine;
using CacheFrom.Hosting;

namespace CacheFrom.Tool.CommandLine;

/// <summary>
/// The command line: <c>publish</c> (DockerPublish), one verb per other target of the step table
/// (the steps, and <c>prune</c> for PruneCache), <c>report</c>
/// (DockerPublish's own action, for hosts that run the steps as separate commands) and <c>plan</c>.
/// </summary>
internal static class ToolCommands
{
    public static RootCommand Create()
    {
        var parameters = new ParameterOptions();
        var host = new HostOptions();
        var runner = new VerbRunner(parameters, host, HostParameters.FromEnvironment());
        var root = new RootCommand(
            "CacheFrom: fast Docker builds on CI runners that start from an empty engine. Reuses layer caches from a registry "
            + "or a tarball store, builds multi-stage Dockerfiles stage by stage, and reports whether the cache paid off.");
        foreach (var option in parameters.All.Concat(host.All))
            root.Options.Add(option);

        var publish = new Command(CacheFromStepTable.DockerPublish.Verb, CacheFromStepTable.DockerPublish.Description + " (DockerPublish)");
        publish.SetAction((parse, _) => runner.RunAsync(parse, run => run.PublishAsync()));
        root.Subcommands.Add(publish);

        foreach (var target in CacheFromStepTable.All.Where(t => t != CacheFromStepTable.DockerPublish))
        {
            var command = new Command(target.Verb, target.Step is null
                ? $"{target.Description} ({target.Name})"
                : $"{target.Description} ({target.Name}; one step: continue a run with --run-id)");
            command.SetAction((parse, _) => runner.RunAsync(parse, run => run.RunAsync(target)));
            root.Subcommands.Add(command);
        }

        var report = new Command("report", "Writes the report of the run named by --run-id (DockerPublish's own action after its steps ran as separate commands)");
        report.SetAction((parse, _) => runner.RunAsync(parse, run => run.RunAsync(CacheFromStepTable.DockerPublish)));
        root.Subcommands.Add(report);

        var json = new Option<bool>("--json") { Description = "Print the plan as JSON (for hosts such as the Cake recipe)" };
        var plan = new Command("plan", "Checks the parameters (nothing touches Docker) and prints which steps run and why others are skipped");
        plan.Options.Add(json);
        plan.SetAction(parse => runner.Plan(parse, parse.GetValue(json)));
        root.Subcommands.Add(plan);
        return root;
    }
}
