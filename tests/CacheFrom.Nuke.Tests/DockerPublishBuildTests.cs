using System.Reflection;
using System.Text.Json;
using CacheFrom.Hosting;
using CacheFrom.Nuke.Tests.Support;
using CacheFrom.Tests.Support;

namespace CacheFrom.Nuke.Tests;

/// <summary>
/// A real NUKE build whose Build inherits IDockerPublish, run as a user runs it (a process per
/// invocation), against the real engine. The repository is built once for the fixture.
/// </summary>
[Category("Docker")]
[NonParallelizable]
public sealed class DockerPublishBuildTests
{
    private TemporaryNukeRepository _repository = null!;

    [OneTimeSetUp]
    public async Task CreateRepository() => _repository = await TemporaryNukeRepository.CreateAsync();

    [OneTimeTearDown]
    public void DeleteRepository() => _repository?.Dispose();

    [Test]
    public async Task Given_a_tarball_cache_When_DockerPublish_runs_again_on_an_emptied_engine_Then_the_builder_instructions_hit_the_cache()
    {
        var image = TestEnvironment.UniqueLocalRepository("nuke");
        string[] arguments = ["DockerPublish", "--docker-image", image, "--docker-tag", "main"];
        await EngineReset.EmptyAsync();

        var cold = await _repository.RunAsync(arguments);
        Assert.That(cold.ExitCode, Is.Zero, cold.Output);
        Assert.That(Directory.EnumerateFiles(_repository.CacheDirectory, "*.tar", SearchOption.AllDirectories), Is.Not.Empty, "SaveTarball wrote no tarball");
        var coldRun = RunRecordJson.Read(_repository.ReportDirectory);
        Assert.That(coldRun.CachedRunInstructions("builder"), Is.Empty, "the first run on an empty engine cannot hit a cache");

        await EngineReset.EmptyAsync();
        var warm = await _repository.RunAsync(arguments);

        Assert.That(warm.ExitCode, Is.Zero, warm.Output);
        var warmRun = RunRecordJson.Read(_repository.ReportDirectory);
        Assert.Multiple(() =>
        {
            Assert.That(warmRun.RunId, Is.Not.EqualTo(coldRun.RunId), "the second process must start a run of its own");
            Assert.That(warmRun.CachedRunInstructions("builder"), Has.Count.GreaterThanOrEqualTo(2), "the builder's RUN steps came from the tarball");
            Assert.That(warmRun.StepOutcome("LoadTarball"), Is.EqualTo("succeeded"));
            Assert.That(warmRun.StepOutcome("PushAll"), Is.Null, "PushAll is skipped by NUKE (no docker-push), so the engine never ran it");
            Assert.That(warm.Output, Does.Contain("PushAll").And.Contain("Skipped"));
            Assert.That(File.Exists(Path.Combine(_repository.ReportDirectory, "cachefrom-report.json")), "DockerPublish writes the report");
        });
        Assert.That(await DockerCli.ImageExistsAsync($"{image}:main"), "the final image is in the engine");
        Assert.That(CountOf(warm.Output, "Docker engine at "), Is.EqualTo(1), "every target of the process shares one engine connection");
    }

    [Test]
    public async Task Given_a_stale_tarball_When_PruneCache_runs_Then_a_dry_run_lists_it_and_docker_prune_apply_deletes_it_alone()
    {
        var image = TestEnvironment.UniqueLocalRepository("nuke-prune");
        var folder = Path.Combine(_repository.CacheDirectory, image.Replace('/', '+').Replace(':', '~'));
        Directory.CreateDirectory(folder);
        var stale = Path.Combine(folder, "feature-old.tar");
        var fresh = Path.Combine(folder, "feature-new.tar");
        var fallback = Path.Combine(folder, "master.tar");
        foreach (var (path, age) in new[] { (stale, 30), (fresh, 1), (fallback, 30) })
        {
            await File.WriteAllBytesAsync(path, new byte[2048]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromDays(age));
        }

        string[] arguments = ["PruneCache", "--docker-image", image, "--docker-tag", "main", "--docker-cache", "tarball"];
        var dryRun = await _repository.RunAsync(arguments);
        var staleAfterDryRun = File.Exists(stale);
        var applied = await _repository.RunAsync([.. arguments, "--docker-prune-apply"]);

        Assert.Multiple(() =>
        {
            Assert.That(dryRun.ExitCode, Is.Zero, dryRun.Output);
            Assert.That(dryRun.Output, Does.Contain($"Would delete {stale} (2.0 KiB;"));
            Assert.That(dryRun.Output, Does.Contain("Would delete").And.Contain("0 tags, 1 tarballs, 2.0 KiB"), "NUKE's summary");
            Assert.That(staleAfterDryRun, "the dry run deleted nothing");
            Assert.That(applied.ExitCode, Is.Zero, applied.Output);
            Assert.That(File.Exists(stale), Is.False, "docker-prune-apply deleted the stale tarball");
            Assert.That(File.Exists(fresh), "a fresh tarball stays");
            Assert.That(File.Exists(fallback), "a fallback's tarball stays whatever its age");
            Assert.That(applied.Output, Does.Not.Contain("Docker engine at "), "PruneCache opens no engine connection");
        });
    }

    [Test]
    public async Task When_help_is_asked_Then_the_targets_and_the_docker_parameters_are_listed()
    {
        var help = await _repository.RunAsync("--help");

        Assert.That(help.ExitCode, Is.Zero, help.Output);
        Assert.Multiple(() =>
        {
            foreach (var target in CacheFromStepTable.All)
                Assert.That(help.Output, Does.Contain(target.Name));
            foreach (var parameter in CacheFromParameterTable.All)
                Assert.That(help.Output, Does.Contain("--" + parameter.Name));
        });
    }

    [Test]
    public async Task Given_registry_mode_When_docker_image_is_missing_Then_NUKE_fails_before_any_target_with_its_parameter_message()
    {
        var result = await _repository.RunAsync("DockerPublish", "--docker-cache", "registry");

        Assert.That(result.ExitCode, Is.Not.Zero, result.Output);
        Assert.That(result.Output, Does.Contain("requires member 'DockerImage' to be not null or empty"));
        Assert.That(result.Output, Does.Not.Contain("LoadTarball started"), "no step may run without an image");
    }

    [Test]
    public async Task Given_an_invalid_cache_mode_When_a_step_runs_Then_it_fails_with_the_engine_message_Cake_also_gives()
    {
        var result = await _repository.RunAsync("ResolveCache", "--docker-image", TestEnvironment.UniqueLocalRepository("nuke"), "--docker-cache", "sometimes");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero, result.Output);
            Assert.That(result.Output, Does.Contain("docker-cache 'sometimes' is not valid; use registry, tarball, both or none"));
            Assert.That(result.Output, Does.Contain("// Error: Invalid CacheFrom parameters"), "the target summary names the problem");
            Assert.That(result.Output, Does.Not.Contain("   at "), "no .NET stack trace for an error the user can fix");
        });
    }

    [Test]
    public void The_compiled_component_has_one_parameter_member_per_row_of_the_parameter_table()
    {
        var members = typeof(IHazDockerCache).GetProperties()
            .Where(p => p.GetCustomAttributes().Any(a => a.GetType().Name == "ParameterAttribute"))
            .Select(p => p.Name);

        Assert.That(members, Is.EquivalentTo(CacheFromParameterTable.All.Select(p => p.MemberName)));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>The run record (<c>run.json</c>, camelCase) read independently of the engine's types.</summary>
    private sealed class RunRecordJson(JsonElement root)
    {
        public string RunId => root.GetProperty("runId").GetString()!;

        public static RunRecordJson Read(string reportDirectory)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(reportDirectory, "run.json")));
            return new RunRecordJson(document.RootElement.Clone());
        }

        public List<string> CachedRunInstructions(string stage) =>
            root.GetProperty("instructions").EnumerateArray()
                .Where(i => i.GetProperty("stage").GetString() == stage && i.GetProperty("cached").GetBoolean())
                .Select(i => i.GetProperty("text").GetString()!)
                .Where(text => text.StartsWith("RUN", StringComparison.OrdinalIgnoreCase))
                .ToList();

        public string? StepOutcome(string step) =>
            root.GetProperty("steps").EnumerateArray()
                .Where(s => string.Equals(s.GetProperty("step").GetString(), step, StringComparison.OrdinalIgnoreCase))
                .Select(s => s.GetProperty("outcome").GetString())
                .LastOrDefault();
    }
}
