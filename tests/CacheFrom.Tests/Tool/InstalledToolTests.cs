using System.Security.Cryptography;
using System.Text;
using CacheFrom.Hosting;
using CacheFrom.Recording;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Tool;

/// <summary>The dotnet tool packed and installed as a user would, run as a CI step runs it.</summary>
[NonParallelizable]
[Category("Docker")]
public sealed class InstalledToolTests
{
    private InstalledTool _tool = null!;

    [OneTimeSetUp]
    public async Task PackAndInstall() => _tool = await InstalledTool.InstallAsync();

    [OneTimeTearDown]
    public void Uninstall() => _tool.Dispose();

    [Test]
    public async Task Published_again_on_an_emptied_engine_it_builds_the_builder_stage_from_the_tarball_cache()
    {
        using var sample = SampleProject.Create(slowSeconds: 2);
        var image = TestEnvironment.UniqueLocalRepository("tool");
        var store = sample.Directory + "-store";
        string[] arguments = ["publish", "--docker-image", image, "--docker-tag", "tool", "--docker-cache", "tarball", "--docker-cache-dir", store];

        // NO_COLOR unset: the tool itself must see that its output is not a terminal.
        var environment = new Dictionary<string, string> { ["NO_COLOR"] = "" };
        await EngineReset.EmptyAsync();
        var cold = await _tool.RunAsync(sample.Directory, environment, arguments);
        var coldRecord = RunRecordFile.Read(RunRecordFile.DefaultPath(sample.Directory));
        await EngineReset.EmptyAsync();
        var warm = await _tool.RunAsync(sample.Directory, environment, arguments);
        var warmRecord = RunRecordFile.Read(RunRecordFile.DefaultPath(sample.Directory));

        Assert.Multiple(() =>
        {
            Assert.That(cold.ExitCode, Is.EqualTo(0), cold.Output);
            Assert.That(warm.ExitCode, Is.EqualTo(0), warm.Output);
            Assert.That(coldRecord.Runs("builder"), Has.Count.EqualTo(2), "the sample's builder has two RUN steps");
            Assert.That(coldRecord.Runs("builder").Count(i => i.Cached), Is.Zero, "the first run starts cold");
            Assert.That(warmRecord.RunId, Is.Not.EqualTo(coldRecord.RunId), "each tool process is a run of its own");
            Assert.That(warmRecord.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0));
            Assert.That(warmRecord.Runs("builder"), Has.Count.EqualTo(2));
            Assert.That(warmRecord.Runs("builder").Count(i => i.Cached), Is.EqualTo(2), "the second run hits the cache for both slow steps");
            Assert.That(warm.Output, Does.Contain("PushAll skipped: docker-push is false"));
            // Ordinal: a culture-aware search ignores control characters and would find "[" alone.
            Assert.That(warm.Output.Contains('\u001b', StringComparison.Ordinal), Is.False, "no ANSI colours when the output is not a terminal");
        });
    }

    [Test]
    public async Task A_BuildKit_secret_reaches_RUN_and_is_nowhere_in_the_output()
    {
        var secret = "tool-secret-" + Guid.NewGuid().ToString("N");
        using var context = new TemporaryContext(
            "FROM BASE\nRUN --mount=type=secret,id=token sha256sum < /run/secrets/token | cut -d' ' -f1 > /token.sha256\n");
        var image = TestEnvironment.UniqueLocalRepository("tool-secret");

        var result = await _tool.RunAsync(
            context.Directory,
            new Dictionary<string, string> { ["CACHEFROM_TEST_TOKEN"] = secret },
            "publish", "--docker-image", image, "--docker-tag", "secret", "--docker-cache", "none", "--docker-secrets", "token=CACHEFROM_TEST_TOKEN", "-v", "diagnostic");
        var hash = (await DockerCli.CheckAsync("run", "--rm", $"{image}:secret", "cat", "/token.sha256")).Trim();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
            Assert.That(hash, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))), "RUN read the secret's bytes");
            Assert.That(result.Output, Does.Not.Contain(secret), "not even at diagnostic verbosity");
            Assert.That(File.ReadAllText(Path.Combine(context.Directory, ".nuke", "temp", "cachefrom", "run.json")), Does.Not.Contain(secret));
        });
    }

    [Test]
    public async Task Bad_parameters_exit_with_2_and_one_message_that_lists_every_problem()
    {
        using var context = new TemporaryContext("FROM BASE\n");

        var result = await _tool.RunAsync(context.Directory, null, "publish", "--docker-image", "Bad:Name", "--docker-cache", "sometimes", "--docker-password", "p4ss");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Output);
            Assert.That(result.Output, Does.Contain("docker-cache 'sometimes' is not valid"));
            Assert.That(result.Output, Does.Contain("docker-image 'Bad:Name'"));
            Assert.That(result.Output, Does.Contain("docker-username and docker-password go together"));
            Assert.That(result.Output, Does.Not.Contain(" at CacheFrom."), "no stack trace for an error the user can fix");
            Assert.That(result.Output, Does.Not.Contain("p4ss"));
        });
    }

    [Test]
    public async Task A_hosts_parameters_in_CACHEFROM_HOST_PARAMETERS_rank_above_the_environment_and_a_malformed_one_is_never_quoted()
    {
        using var context = new TemporaryContext("FROM BASE\n");
        var handedOver = new Dictionary<string, string>
        {
            ["DOCKER_IMAGE"] = "Not/A/Valid/Repository",
            ["CACHEFROM_HOST_PARAMETERS"] = """{"docker-image":["handed-over"],"docker-push":[]}""",
        };
        var malformed = new Dictionary<string, string> { ["CACHEFROM_HOST_PARAMETERS"] = """{"docker-password":"p4ss"}""" };

        var plan = await _tool.RunAsync(context.Directory, handedOver, "plan", "--json");
        var bad = await _tool.RunAsync(context.Directory, malformed, "plan", "--json");

        Assert.Multiple(() =>
        {
            Assert.That(plan.ExitCode, Is.EqualTo(0), plan.Output);
            Assert.That(plan.Output, Does.Contain("\"image\":\"handed-over:"), "the handed-over value wins over DOCKER_IMAGE");
            Assert.That(plan.Output, Does.Not.Contain("docker-push is false"), "a bare flag (an empty list) is true");
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.Output);
            Assert.That(bad.Output, Does.Contain("CACHEFROM_HOST_PARAMETERS is not a JSON object of parameter names to lists of values"));
            Assert.That(bad.Output, Does.Not.Contain("p4ss"), "the text may hold credentials");
        });
    }

    [Test]
    public async Task No_engine_exits_with_3_and_a_failing_RUN_with_1()
    {
        using var context = new TemporaryContext("FROM BASE\nRUN echo about to fail && exit 7\n");
        var image = TestEnvironment.UniqueLocalRepository("tool-fail");
        string[] arguments = ["publish", "--docker-image", image, "--docker-cache", "none"];

        var noEngine = await _tool.RunAsync(context.Directory, new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" }, arguments);
        var failingRun = await _tool.RunAsync(context.Directory, null, arguments);

        Assert.Multiple(() =>
        {
            Assert.That(noEngine.ExitCode, Is.EqualTo(3), noEngine.Output);
            Assert.That(noEngine.Output, Does.Contain("No Docker engine answered at unix:///nonexistent/docker.sock"));
            Assert.That(failingRun.ExitCode, Is.EqualTo(1), failingRun.Output);
            Assert.That(failingRun.Output, Does.Contain("RUN echo about to fail"));
            Assert.That(failingRun.Output, Does.Not.Contain(" at CacheFrom."));
        });
    }

    [Test]
    public async Task Prune_lists_a_stale_branch_in_a_dry_run_and_against_a_registry_without_deletes_fails_with_one_message()
    {
        await using var registry = await RegistryServer.StartAsync(deleteEnabled: false);
        using var context = new TemporaryContext("FROM BASE\n");
        var repository = registry.UniqueRepository("tool-prune");
        var log = new TestLogger();
        using (var seeder = new CacheTagSeeder(repository, log))
        {
            await seeder.ImageAsync("feature-old", DateTimeOffset.UtcNow - TimeSpan.FromDays(30), "final");
            await seeder.ImageAsync("feature-old--builder", DateTimeOffset.UtcNow - TimeSpan.FromDays(30), "builder");
        }

        string[] arguments = ["prune", "--docker-image", repository, "--docker-tag", "main", "--docker-cache", "registry"];
        var dryRun = await _tool.RunAsync(context.Directory, null, arguments);
        var applied = await _tool.RunAsync(context.Directory, null, [.. arguments, "--docker-prune-apply"]);

        Assert.Multiple(() =>
        {
            Assert.That(dryRun.ExitCode, Is.Zero, dryRun.Output);
            Assert.That(dryRun.Output, Does.Contain($"Would delete {repository}:feature-old--builder ("));
            Assert.That(applied.ExitCode, Is.EqualTo(4), applied.Output);
            Assert.That(applied.Output, Does.Contain("REGISTRY_STORAGE_DELETE_ENABLED=true"));
            Assert.That(applied.Output.Split("does not allow deletes").Length - 1, Is.EqualTo(1), "one message");
            Assert.That(applied.Output, Does.Not.Contain(" at CacheFrom."), "no stack trace");
        });
    }

    [Test]
    public async Task Help_lists_every_parameter_of_the_contract_with_its_environment_variable()
    {
        var help = await _tool.RunAsync(Path.GetTempPath(), null, "publish", "--help");

        Assert.That(help.ExitCode, Is.EqualTo(0), help.Output);
        Assert.Multiple(() =>
        {
            foreach (var parameter in CacheFromParameterTable.All)
            {
                Assert.That(help.Output, Does.Contain("--" + parameter.Name + " "), parameter.Name);
                if (parameter.EnvironmentVariable is { } variable)
                    Assert.That(help.Output, Does.Contain($"[env: {variable}]"), parameter.Name);
            }
        });
    }
}
