using System.Text;
using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A registry with a password (htpasswd, loopback): credentials from the Docker config file or
/// explicit; a warm run really hits for both builders (BuildKit pulls the winners first without a
/// session, or reads the registry itself through one; the containerd image store is the exception
/// docs/engines.md measured); wrong or missing credentials end in one clear message naming the
/// registry; the password appears nowhere.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class AuthenticatedRegistryTests
{
    private AuthRegistry _registry = null!;
    private string _dockerConfig = null!;

    [OneTimeSetUp]
    public async Task StartTheRegistry() => _registry = await AuthRegistry.StartAsync();

    [OneTimeTearDown]
    public async Task StopTheRegistry() => await _registry.DisposeAsync();

    [SetUp]
    public async Task StartFromAnEmptiedEngineAndNoDockerConfig()
    {
        // An empty Docker config directory: the machine's own ~/.docker/config.json must not lend credentials.
        _dockerConfig = Directory.CreateTempSubdirectory("cachefrom-dockerconfig-").FullName;
        await EngineReset.EmptyAsync();
    }

    [TearDown]
    public void DeleteTheDockerConfig() => Directory.Delete(_dockerConfig, recursive: true);

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [CancelAfter(180_000)]
    public async Task Credentials_from_the_docker_config_file_give_a_warm_run_that_hits_without_a_session(BuilderKind builder, CancellationToken cancellationToken)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_registry.User}:{_registry.Password}"));
        await File.WriteAllTextAsync(Path.Combine(_dockerConfig, "config.json"), $$"""{ "auths": { "{{_registry.Address}}": { "auth": "{{auth}}" } } }""", cancellationToken);
        using var config = new EnvironmentOverride("DOCKER_CONFIG", _dockerConfig);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, _registry.UniqueRepository("config-auth"), builder, CacheMode.Registry);
        var containerdStore = await DockerCli.UsesContainerdStoreAsync();

        if (builder == BuilderKind.BuildKit && containerdStore)
        {
            // There BuildKit reads a context only over a session (moby/moby#47717): a host without one gets one message saying what works.
            var refused = Assert.ThrowsAsync<ImageBuildFailedException>(() => PipelineRunner.PublishWithoutSessionsAsync(options, log, cancellationToken));
            TestContext.Out.WriteLine(refused!.Message);
            Assert.That(refused.Message, Does.Contain("containerd image store").And.Contain("docker-builder classic").And.Contain("BuildKit session"));
            await AssertNoSecretAsync(log, options, null, refused);
            return;
        }

        await PipelineRunner.PublishWithoutSessionsAsync(options, log, cancellationToken);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await PipelineRunner.PublishWithoutSessionsAsync(options, warmLog, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(warm.StepOf(PipelineStep.ResolveCache).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            Assert.That(warmLog.Lines.Where(l => l.StartsWith("[INF] Pulled ", StringComparison.Ordinal)).ToList(), Is.Not.Empty, "without a session the winners are pulled with the credentials");
            // The containerd image store often reports a small layer's pull with no byte counts (docs/engines.md).
            if (!containerdStore)
                Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.GreaterThan(0), "the pulls moved bytes");
            if (builder == BuilderKind.Classic && containerdStore)
            {
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            }
            else
            {
                Assert.That(warm.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith(":feature-x--builder"));
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached), "the cache did not silently stay cold");
            }

            Assert.That(warm.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
        await AssertNoSecretAsync(warmLog, options, warm, null);
        await AssertNoSecretAsync(log, options, warm, null);
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Explicit_credentials_with_the_session_provider_give_a_warm_BuildKit_run_that_hits_without_a_pull(CancellationToken cancellationToken)
    {
        using var config = new EnvironmentOverride("DOCKER_CONFIG", _dockerConfig);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, _registry.UniqueRepository("session-auth"), BuilderKind.BuildKit, CacheMode.Registry);
        options.Credentials = _registry.Credentials;
        options.Skip = false; // the builder stage must be built, to prove BuildKit reads the cache through the session
        await using var sessions = BuildKitSessionHost.Create(log.Logger);

        await PipelineRunner.PublishAsync(options, log, sessions, cancellationToken);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warm = await PipelineRunner.PublishAsync(options, log, sessions, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.Zero, "BuildKit reads the registry itself through the session");
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached), "the cache did not silently stay cold");
        });
        Assert.That(await DockerCli.ImageExistsAsync(options.Image + ":feature-x--builder"), Is.True, "rebuilt from cache and tagged");
        await AssertNoSecretAsync(log, options, warm, null);
    }

    [TestCase("wrong")]
    [TestCase("missing")]
    [CancelAfter(120_000)]
    public async Task Wrong_or_missing_credentials_end_in_one_message_naming_the_registry(string kind, CancellationToken cancellationToken)
    {
        using var config = new EnvironmentOverride("DOCKER_CONFIG", _dockerConfig);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, _registry.UniqueRepository("bad-auth"), BuilderKind.BuildKit, CacheMode.Registry);
        options.Credentials = kind == "wrong" ? new RegistryCredentials(_registry.User, "not-" + _registry.Password) : null;
        options.Retry = ReliabilitySupport.FastRetries();

        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        await using var pipeline = await CachePipeline.OpenAsync(options, log.Logger, sessions, cancellationToken);
        var exception = Assert.ThrowsAsync<RegistryException>(() => pipeline.PublishAsync(cancellationToken));

        TestContext.Progress.WriteLine(exception!.Message);
        var resolve = pipeline.Record.StepOf(PipelineStep.ResolveCache);
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain("Pushing the image").And.Contain($"registry {_registry.Address} refused"));
            Assert.That(exception.Message, Does.Contain("docker-username/docker-password").And.Contain($"docker login {_registry.Address}"));
            Assert.That(exception.InnerException, Is.InstanceOf<RegistryAuthenticationException>());
            Assert.That(log.Retries(), Is.Empty, "a refused login is not retried");
            Assert.That(resolve.Outcome, Is.EqualTo(StepOutcome.Degraded), "the cache read degraded first");
            Assert.That(resolve.Message, Does.Contain(_registry.Address));
            Assert.That(pipeline.Record.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded), "and the build went on cold");
        });
        await AssertNoSecretAsync(log, options, null, exception);
    }

    /// <summary>
    /// The password is in no log line, report or exception: in clear, JSON-escaped, or inside any
    /// base64 there (an X-Registry-Auth or X-Registry-Config header, a config.json auth), decoded.
    /// </summary>
    private async Task AssertNoSecretAsync(TestLogger log, CacheFromOptions options, RunRecord? record, Exception? exception)
    {
        var password = _registry.Password;
        Assert.That(SecretScan.Contains(HeaderAsTheEngineGetsIt(password), password), Is.True, "the scan finds a password inside an encoded header");

        var reportDir = Path.Combine(options.WorkingDirectory!, CacheFromDefaults.ReportDir);
        if (record is not null)
            await ReportWriter.WriteAsync(record, reportDir, log.Logger);
        var texts = new List<(string Where, string Text)> { ("log", log.AllText) };
        if (exception is not null)
            texts.Add(("exception", exception.ToString()));
        foreach (var file in Directory.Exists(reportDir) ? Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories) : [])
            texts.Add((file, await File.ReadAllTextAsync(file)));

        Assert.That(texts.Select(t => t.Where), Has.Some.EndsWith("run.json"), "the run record was written and read");
        foreach (var (where, text) in texts)
            Assert.That(SecretScan.Contains(text, password), Is.False, $"a form of the password appears in {where}");
    }

    // What a leaked X-Registry-Auth header would look like in a log line: URL-safe base64 of the auth JSON.
    private string HeaderAsTheEngineGetsIt(string password)
    {
        var json = $$"""{"username":"{{_registry.User}}","password":"{{password}}","serveraddress":"{{_registry.Address}}"}""";
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
        return $"POST /v1.41/images/push X-Registry-Auth: {header}";
    }
}
