using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// The Cake recipe end to end: the documented `dotnet cake build.cake --target=DockerPublish`
/// (engine published from source, the recipe in a child Cake process) on a copy of the sample.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class CakeRecipeTests
{
    [OneTimeSetUp]
    public Task RestoreCake() => CakeRunner.RestoreToolsAsync();

    [Test]
    public async Task DockerPublish_run_again_on_an_emptied_engine_builds_the_builder_stage_from_the_tarball_cache()
    {
        using var sample = SampleProject.Create(slowSeconds: 2);
        var image = TestEnvironment.UniqueLocalRepository("cake");
        var store = Path.Combine(Path.GetTempPath(), "cachefrom-cake-store-" + Guid.NewGuid().ToString("N")[..8]);
        string[] arguments =
        [
            "--target=DockerPublish", $"--docker-image={image}", "--docker-tag=cake", $"--docker-context={sample.Directory}",
            $"--docker-cache-dir={store}", "--docker-cache=tarball",
        ];
        try
        {
            await EngineReset.EmptyAsync();
            var cold = await CakeRunner.RunBuildAsync(arguments);
            Assert.That(cold.ExitCode, Is.EqualTo(0), cold.Output);
            var coldRecord = CakeRunner.ReadRunRecord();
            var coldBuilderId = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{.Id}}", $"{image}:cake--builder")).Trim();

            await EngineReset.EmptyAsync();
            var warm = await CakeRunner.RunBuildAsync(arguments);
            Assert.That(warm.ExitCode, Is.EqualTo(0), warm.Output);
            var warmRecord = CakeRunner.ReadRunRecord();
            var warmBuilderId = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{.Id}}", $"{image}:cake--builder")).Trim();

            Assert.Multiple(() =>
            {
                Assert.That(coldRecord.Image, Is.EqualTo(image), "the record read is this test's run");
                Assert.That(coldRecord.Runs("builder"), Is.Not.Empty.And.All.Matches<InstructionRecord>(i => !i.Cached), "the first run starts cold");
                Assert.That(File.Exists(Path.Combine(store, TarballStore.RepositoryFolder(ImageReference.Parse(image, "cake")), "cake.tar")), Is.True, "SaveTarball wrote the store");
                Assert.That(coldRecord.Steps.Where(s => s.Step == PipelineStep.PushAll && s.Outcome != StepOutcome.Skipped), Is.Empty, "no push in tarball mode");
                Assert.That(warm.Output, Does.Contain("PushAll skipped: docker-push is false"));

                Assert.That(warmRecord.Image, Is.EqualTo(image));
                Assert.That(warmRecord.RunId, Is.Not.EqualTo(coldRecord.RunId), "each Cake process is a run of its own");
                Assert.That(warmRecord.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0));
                Assert.That(warmRecord.Stages.Single(s => s.Name == "builder").Winner, Is.EqualTo($"{image}:cake--builder"));
                Assert.That(warmRecord.Runs("builder"), Is.Not.Empty.And.All.Matches<InstructionRecord>(i => i.Cached), "the second run hits the cache");
                Assert.That(warmBuilderId, Is.EqualTo(coldBuilderId), "a fully cached builder stage is the same image");
            });
        }
        finally
        {
            if (Directory.Exists(store))
                Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public async Task An_unknown_docker_cache_value_fails_the_run_with_the_engines_message()
    {
        var result = await CakeRunner.RunBuildAsync(
            "--target=DockerPublish", $"--docker-image={TestEnvironment.UniqueLocalRepository("cake-bad")}", "--docker-cache=sometimes");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Output, Does.Contain("Error: Invalid CacheFrom parameters: docker-cache 'sometimes' is not valid; use registry, tarball, both or none."));
            Assert.That(result.Output, Does.Not.Contain("LoadTarball started"), "nothing ran");
        });
    }

    [Test]
    public async Task Parameters_come_from_the_environment_but_DOCKER_CONTEXT_keeps_the_docker_CLIs_meaning()
    {
        // DOCKER_IMAGE is read (and is invalid here); DOCKER_CONTEXT names a CLI context, never the build context.
        var environment = new Dictionary<string, string>
        {
            ["DOCKER_IMAGE"] = "Not/A/Valid/Repository",
            ["DOCKER_CONTEXT"] = "some-cli-context",
        };

        var result = await CakeRunner.RunBuildAsync(environment, "--target=DockerPublish");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Output, Does.Contain("Error: Invalid CacheFrom parameters: docker-image"));
            Assert.That(result.Output, Does.Not.Contain("some-cli-context"));
            Assert.That(result.Output, Does.Not.Contain("LoadTarball started"), "nothing ran");
        });
    }
}
