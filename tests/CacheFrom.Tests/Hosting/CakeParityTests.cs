using System.Text.RegularExpressions;
using CacheFrom.Hosting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Hosting;

/// <summary>
/// The Cake recipe's sources held to the tables, with no engine and no Cake run (the end-to-end
/// test that compares `dotnet cake --description` and `--tree` with the step table runs on one
/// engine only): a task or a parameter added to one side only fails here, on every run.
/// </summary>
public sealed partial class CakeParityTests
{
    private const string Content = "source/CacheFrom.Cake/content";

    [Test]
    public void The_recipe_declares_every_target_of_the_step_table_with_its_description_and_dependencies_and_runs_its_own_step()
    {
        var source = RepositoryFiles.Read($"{Content}/tasks.cake");
        var tasks = TaskDefinition().Matches(source).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        Assert.That(tasks.Keys, Is.EqualTo(CacheFromStepTable.All.Select(s => s.Name)), "one task per step, in the table's order");
        Assert.Multiple(() =>
        {
            foreach (var step in CacheFromStepTable.All)
            {
                var body = tasks.GetValueOrDefault(step.Name, "");
                Assert.That(Regex.Match(body, @"\.Description\(""(?<text>[^""]*)""\)").Groups["text"].Value, Is.EqualTo(step.Description), $"{step.Name}'s description");
                Assert.That(
                    Regex.Matches(body, @"\.IsDependentOn\(CacheFromRecipe\.(?<name>\w+)\)").Select(m => m.Groups["name"].Value),
                    Is.EqualTo(step.DependsOn),
                    $"{step.Name} depends on what the table says, in its order");
                Assert.That(body, Does.Contain(step == CacheFromStepTable.DockerPublish ? "run.Report()" : $"run.Step(\"{step.Name}\")"), $"{step.Name} runs its own step");
                // Skip rules are the tool's, through the plan Setup reads: a criteria of the recipe's own would be a second copy.
                Assert.That(body, Does.Not.Contain("WithCriteria"), $"{step.Name} has no skip rule of its own");
            }
        });
    }

    [Test]
    public void The_recipe_lists_its_task_builders_in_the_tables_order()
    {
        var source = RepositoryFiles.Read($"{Content}/tasks.cake");
        var builders = BuilderProperty().Matches(source).Select(m => m.Groups["name"].Value).ToList();
        var tasks = Regex.Match(source, @"Tasks => new\[\] \{(?<list>[^}]*)\}").Groups["list"].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(builders, Is.EqualTo(CacheFromStepTable.All.Select(s => s.Name)), "one CacheFromRecipe property per step");
            Assert.That(tasks, Is.EqualTo(CacheFromStepTable.All.Select(s => s.Name)), "CacheFromRecipe.Tasks, which Setup plans, holds every step");
        });
    }

    [Test]
    public void The_recipe_reads_no_parameter_itself_and_passes_on_every_argument_spelled_as_the_tables_parameters()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.RootDirectory, Content), "*.cake");
        var runSource = RepositoryFiles.Read($"{Content}/run.cake");

        Assert.That(files, Has.Length.GreaterThanOrEqualTo(4), "the recipe's files were found");
        Assert.Multiple(() =>
        {
            // The tool reads, splits, checks and defaults every parameter: a parameter the recipe
            // read on its own would be one the other hosts lack.
            foreach (var file in files)
            {
                var source = File.ReadAllText(file);
                Assert.That(ParameterRead().Matches(source).Select(m => m.Value), Is.Empty, $"{Path.GetFileName(file)} reads no argument or environment variable");
            }

            Assert.That(runSource, Does.Contain(".StartsWith(\"docker-\", StringComparison.OrdinalIgnoreCase)"), "the recipe passes on Cake's docker-* arguments");
            Assert.That(runSource, Does.Contain("[\"CACHEFROM_HOST_PARAMETERS\"] = JsonSerializer.Serialize("), "in the tool's environment, not on its command line (InstalledToolTests: the tool reads them there)");
            Assert.That(CacheFromParameterTable.All, Has.Count.GreaterThan(0));
            foreach (var parameter in CacheFromParameterTable.All)
                Assert.That(parameter.Name, Does.StartWith("docker-"), $"{parameter.Name} reaches the tool from Cake");
        });
    }

    [GeneratedRegex(@"CacheFromRecipe\.(?<name>\w+) = Task\(""\k<name>""\)(?<body>[\s\S]*?;)\r?\n")]
    private static partial Regex TaskDefinition();

    [GeneratedRegex(@"public static CakeTaskBuilder (?<name>\w+) \{ get; internal set; \}")]
    private static partial Regex BuilderProperty();

    [GeneratedRegex(@"\b(?:Argument|Arguments|HasArgument|EnvironmentVariable)\s*(?:<[^>]*>)?\s*\(")]
    private static partial Regex ParameterRead();
}
