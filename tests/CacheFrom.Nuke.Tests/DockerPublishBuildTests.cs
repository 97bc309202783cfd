using System.Text.Json;
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
    private static readonly string[] Targets = ["LoadTarball", "ResolveCache", "BuildBuilderStage", "BuildFinalStage", "PushAll", "SaveTarball", "DockerPublish"];

    private static readonly string[] Parameters =
    [
        "--docker-image", "--docker-tag", "--docker-cache-fallback", "--docker-file", "--docker-context", "--docker-builder",
        "--docker-cache", "--docker-cache-dir", "--docker-push", "--docker-build-args", "--docker-secrets", "--docker-ssh",
        "--docker-username", "--docker-password",
    ];

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
    }

    [Test]
    public async Task When_help_is_asked_Then_the_targets_and_the_docker_parameters_are_listed()
    {
        var help = await _repository.RunAsync("--help");

        Assert.That(help.ExitCode, Is.Zero, help.Output);
        Assert.Multiple(() =>
        {
            foreach (var target in Targets)
                Assert.That(help.Output, Does.Contain(target));
            foreach (var parameter in Parameters)
                Assert.That(help.Output, Does.Contain(parameter));
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

        Assert.That(result.ExitCode, Is.Not.Zero, result.Output);
        Assert.That(result.Output, Does.Contain("docker-cache 'sometimes' is not valid; use registry, tarball, both or none"));
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
