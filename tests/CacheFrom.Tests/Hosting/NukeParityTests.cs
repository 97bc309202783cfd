using System.Text.RegularExpressions;
using CacheFrom.Hosting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Hosting;

/// <summary>
/// NUKE's component declares the contract by hand (attributes and target definitions can't be
/// generated), so its sources are held to the tables here, where NUKE itself can't be compiled:
/// a parameter or target added to one side only fails. tests/CacheFrom.Nuke.Tests checks the
/// compiled component the same way wherever NUKE restores.
/// </summary>
public sealed partial class NukeParityTests
{
    [Test]
    public void The_component_declares_one_parameter_member_per_table_row_with_the_tables_description()
    {
        var source = RepositoryFiles.Read("source/CacheFrom.Nuke/IHazDockerCache.cs");
        var members = ParameterMember().Matches(source).Select(m => (Description: m.Groups["description"].Value, Member: m.Groups["member"].Value, Array: m.Groups["array"].Success)).ToList();

        Assert.That(members, Is.Not.Empty, "the component's [Parameter] members were found");
        Assert.Multiple(() =>
        {
            Assert.That(members.Select(m => m.Member), Is.EquivalentTo(CacheFromParameterTable.All.Select(p => p.MemberName)));
            foreach (var (description, member, array) in members)
            {
                Assert.That(description, Is.EqualTo(member), $"{member} is described by ParameterDescriptions.{member}");
                var parameter = CacheFromParameterTable.All.FirstOrDefault(p => p.MemberName == member);
                if (parameter is not null)
                    Assert.That(array, Is.EqualTo(parameter.Kind == ParameterKind.List), $"{member}: a list is a string[] member, anything else a string");
            }
        });
    }

    [Test]
    public void The_component_declares_every_target_of_the_step_table_with_its_dependencies_and_skip_rule()
    {
        var source = RepositoryFiles.Read("source/CacheFrom.Nuke/IDockerPublish.cs");
        var targets = TargetDefinition().Matches(source).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        Assert.That(targets.Keys, Is.EqualTo(CacheFromStepTable.All.Select(s => s.Name)), "one target per step, in the table's order");
        Assert.Multiple(() =>
        {
            foreach (var step in CacheFromStepTable.All)
            {
                var body = targets.GetValueOrDefault(step.Name, "");
                Assert.That(body, Does.Contain($".Description(CacheFromStepTable.{step.Name}.Description)"), step.Name);
                Assert.That(Arguments(body, "DependsOn"), Is.EqualTo(step.DependsOn), $"{step.Name} depends on what the table says");
                Assert.That(Arguments(body, "After"), Is.EqualTo(step.After), $"{step.Name} runs after what the table says");
                Assert.That(body.Contains($"IsEnabled(this, CacheFromStepTable.{step.Name})", StringComparison.Ordinal), Is.EqualTo(step.RunsWhen is not null), $"{step.Name} is skipped by the table's rule, and only when it has one");
                Assert.That(body, Does.Contain($"DockerCacheRun.RunAsync(this, CacheFromStepTable.{step.Name})"), $"{step.Name} runs its own step");
            }
        });
    }

    private static List<string> Arguments(string body, string method) =>
        Regex.Matches(body, $@"\.{method}\((?<args>[^)]*)\)")
            .SelectMany(m => m.Groups["args"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();

    [GeneratedRegex(@"\[Parameter\(ParameterDescriptions\.(?<description>\w+)[^\]]*\)\]\s*(?:\[Secret\]\s*)?string(?<array>\[\])?\? (?<member>\w+) =>")]
    private static partial Regex ParameterMember();

    [GeneratedRegex(@"Target (?<name>\w+) => _ => _(?<body>(?:(?!\n\s*Target )[\s\S])*?;)\n")]
    private static partial Regex TargetDefinition();
}
