using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Credentials that come only from a Docker credential helper (as ECR, GCR and ACR users and
/// Docker Desktop have them): a shell script named docker-credential-… on PATH, named by the
/// test's own config.json, in front of an htpasswd registry. A warm run hits for both builders
/// (BuildKit reads the registry through the session; the classic builder pulls with
/// X-Registry-Auth); a helper with nothing means anonymous; the secret appears nowhere.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class CredentialHelperTests
{
    private AuthRegistry _registry = null!;
    private DockerConfigDirectory _config = null!;
    private IDisposable _path = null!;

    [OneTimeSetUp]
    public async Task StartTheRegistry() => _registry = await AuthRegistry.StartAsync();

    [OneTimeTearDown]
    public async Task StopTheRegistry() => await _registry.DisposeAsync();

    [SetUp]
    public async Task StartFromAnEmptiedEngineAndAConfigOfTheTestsOwn()
    {
        _config = DockerConfigDirectory.Create();
        _path = _config.OnPath();
        await EngineReset.EmptyAsync();
    }

    [TearDown]
    public void RemoveTheConfig()
    {
        _path.Dispose();
        _config.Dispose();
    }

    [TestCase(BuilderKind.BuildKit, "credHelpers")]
    [TestCase(BuilderKind.Classic, "credsStore")]
    [CancelAfter(240_000)]
    public async Task Credentials_only_from_a_credential_helper_give_a_warm_run_that_hits(BuilderKind builder, string section, CancellationToken cancellationToken)
    {
        var helper = DockerConfigDirectory.UniqueHelperName("registry");
        _config.AnsweringHelper(helper, _registry.User, _registry.Password);
        _config.WriteConfig(section == "credHelpers"
            ? new { credHelpers = new Dictionary<string, string> { [_registry.Address] = helper } }
            : new { credsStore = helper });
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, _registry.UniqueRepository("helper-" + builder.ToString().ToLowerInvariant()), builder, CacheMode.Registry);

        // A session host per run, so the warm run's log alone shows the engine asking its session for credentials.
        await PipelineRunner.PublishAsync(options, log, cancellationToken);
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await PipelineRunner.PublishAsync(options, warmLog, cancellationToken);

        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(builder);
        var containerdStore = await DockerCli.UsesContainerdStoreAsync();
        Assert.Multiple(() =>
        {
            Assert.That(_config.StdinOf(helper), Is.EqualTo(_registry.Address), "docker's server address on the helper's stdin");
            Assert.That(warmLog.Lines, Has.Some.Contains($"user {_registry.User} (from credential helper").And.Some.Contains($"docker-credential-{helper} ({section}"));
            if (cannotHit)
            {
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            }
            else
            {
                Assert.That(warm.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith(":feature-x--builder"));
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached), "the cache did not silently stay cold");
            }

            Assert.That(warm.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
            if (builder == BuilderKind.BuildKit)
            {
                Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.Zero, "BuildKit reads the registry itself through the session");
                Assert.That(warmLog.AllText, Does.Contain($"answered as \"{_registry.User}\""), "the engine asked the session for them");
            }
            else
            {
                Assert.That(warmLog.Lines.Where(l => l.StartsWith("[INF] Pulled ", StringComparison.Ordinal)).ToList(), Is.Not.Empty, "the classic builder pulls the winners with X-Registry-Auth");
                // The containerd image store often reports a small layer's pull with no byte counts (docs/engines.md).
                if (!containerdStore)
                    Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.GreaterThan(0), "the pulls moved bytes");
            }
        });
        await SecretScan.AssertAbsentAsync(_registry.Password, log, options, warm, null);
        await SecretScan.AssertAbsentAsync(_registry.Password, warmLog, options, warm, null);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_helper_with_nothing_for_the_registry_means_anonymous_and_the_push_is_refused_with_the_login_advice(CancellationToken cancellationToken)
    {
        var helper = DockerConfigDirectory.UniqueHelperName("empty");
        _config.EmptyHelper(helper);
        _config.WriteConfig(new { credHelpers = new Dictionary<string, string> { [_registry.Address] = helper } });
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, _registry.UniqueRepository("helper-empty"), BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();

        var exception = Assert.ThrowsAsync<RegistryException>(() => PipelineRunner.PublishAsync(options, log, cancellationToken));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(log.Lines, Has.Some.Contains("none, anonymous").And.Some.Contains($"docker-credential-{helper}"));
            Assert.That(_config.StdinOf(helper), Is.EqualTo(_registry.Address));
            Assert.That(exception.InnerException, Is.InstanceOf<RegistryAuthenticationException>());
            Assert.That(exception.Message, Does.Contain($"registry {_registry.Address} refused").And.Contain($"docker login {_registry.Address}"));
        });
    }
}
