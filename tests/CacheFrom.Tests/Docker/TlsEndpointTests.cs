using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Sessions;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// A remote engine over TLS, as GitLab's docker:dind and remote CI engines serve it: socat in
/// front of the test engine demands a client certificate signed by a CA made in the test.
/// Builds run through it (classic; BuildKit with a session carrying registry credentials), and
/// every way of getting TLS wrong ends in one message naming the endpoint and what to set.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class TlsEndpointTests
{
    private TlsCertificates _certificates = null!;

    [OneTimeSetUp]
    public async Task MakeCertificates() => _certificates = await TlsCertificates.CreateAsync();

    [OneTimeTearDown]
    public void DeleteCertificates() => _certificates.Dispose();

    [SetUp]
    public async Task StartFromAnEmptiedEngine() => await EngineReset.EmptyAsync();

    [Test]
    [CancelAfter(240_000)]
    public async Task A_classic_pipeline_over_a_TLS_endpoint_pushes_pulls_and_hits_the_cache(CancellationToken cancellationToken)
    {
        await using var proxy = await TlsEngineProxy.StartAsync(_certificates, cancellationToken: cancellationToken);
        var certPath = _certificates.ClientDirectory();
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueRepository("tls-classic"), BuilderKind.Classic, CacheMode.Registry);
        options.DockerHost = proxy.Host;

        await WithTlsAsync(certPath, () => PipelineRunner.PublishAsync(options, log, cancellationToken));
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warmLog = new TestLogger();
        var warm = await WithTlsAsync(certPath, () => PipelineRunner.PublishAsync(options, warmLog, cancellationToken));

        var cannotHit = await ClassicCacheOnContainerdStore.AppliesAsync(BuilderKind.Classic);
        Assert.Multiple(() =>
        {
            Assert.That(log.Lines, Has.Some.Contains($"Docker engine at \"{proxy.Host}\"").And.Some.Contains("TLS verified"));
            Assert.That(warm.StepOf(PipelineStep.ResolveCache).Outcome, Is.EqualTo(StepOutcome.Succeeded), "the winners were found and pulled, over TLS");
            Assert.That(warmLog.Lines.Where(l => l.StartsWith("[INF] Pulled ", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2), "both stages' winners were pulled");
            if (cannotHit)
            {
                // The engine may still hold the layers in its content store (containerd collects them later): no byte count to rely on.
                ClassicCacheOnContainerdStore.AssertBuiltColdWithOneWarning(warm, warmLog);
            }
            else
            {
                Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.GreaterThan(0), "the classic builder pulls its winners, over TLS");
                Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached));
            }

            Assert.That(warm.StepOf(PipelineStep.PushAll).Outcome, Is.EqualTo(StepOutcome.Succeeded));
        });
        Assert.That(await RegistryApi.TagExistsAsync(options.Image!, "feature-x--builder"), Is.True, "pushed over TLS");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task A_BuildKit_pipeline_over_a_TLS_endpoint_opens_its_session_there_and_reads_an_authenticated_registry_without_a_pull(CancellationToken cancellationToken)
    {
        await using var registry = await AuthRegistry.StartAsync(cancellationToken: cancellationToken);
        await using var proxy = await TlsEngineProxy.StartAsync(_certificates, cancellationToken: cancellationToken);
        var certPath = _certificates.ClientDirectory();
        using var config = new EnvironmentOverride("DOCKER_CONFIG", Directory.CreateTempSubdirectory("cachefrom-dockerconfig-").FullName);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, registry.UniqueRepository("tls-session"), BuilderKind.BuildKit, CacheMode.Registry);
        options.DockerHost = proxy.Host;
        options.Credentials = registry.Credentials;
        await using var sessions = BuildKitSessionHost.Create(log.Logger);

        await WithTlsAsync(certPath, () => PipelineRunner.PublishAsync(options, log, sessions, cancellationToken));
        await EngineReset.EmptyAsync();
        sample.ChangeApp();
        var warm = await WithTlsAsync(certPath, () => PipelineRunner.PublishAsync(options, log, sessions, cancellationToken));

        Assert.Multiple(() =>
        {
            Assert.That(log.Lines, Has.Some.Matches<string>(l => l.Contains("BuildKit session", StringComparison.Ordinal) && l.Contains($"opened on \"{proxy.Host}\"", StringComparison.Ordinal)));
            Assert.That(log.AllText, Does.Contain($"answered as \"{registry.User}\""), "the engine asked the session, over TLS, for the registry's credentials");
            Assert.That(warm.StepOf(PipelineStep.ResolveCache).BytesPulled, Is.Zero, "BuildKit read the registry itself through the session");
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(2).And.All.Matches<InstructionRecord>(i => i.Cached));
            Assert.That(log.AllText, Does.Not.Contain(registry.Password));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Without_a_client_certificate_the_engine_and_the_session_are_refused_with_one_message_naming_what_to_set(CancellationToken cancellationToken)
    {
        await using var proxy = await TlsEngineProxy.StartAsync(_certificates, cancellationToken: cancellationToken);
        var certPath = _certificates.ClientDirectory("ca-only");
        using var tls = TlsEnvironment(certPath);
        var log = new TestLogger();

        var engine = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => DockerEngine.ConnectAsync(proxy.Host, log.Logger, cancellationToken));
        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        var session = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => sessions.OpenAsync(
            new BuildSessionRequest { DockerHost = proxy.Host, ApiVersion = "1.41", WorkingDirectory = certPath }, cancellationToken));

        TestContext.Out.WriteLine(engine!.Message);
        TestContext.Out.WriteLine(session!.Message);
        Assert.Multiple(() =>
        {
            foreach (var message in new[] { engine.Message, session.Message })
            {
                Assert.That(message, Does.Contain(proxy.Host).And.Contain("demands a client certificate"));
                Assert.That(message, Does.Contain(certPath).And.Contain("cert.pem and key.pem").And.Contain("DOCKER_CERT_PATH"));
            }
        });
    }

    [TestCase("wrong CA", "is not trusted", "is not signed by the CA in")]
    [TestCase("expired engine certificate", "is not trusted", "expired on 2020-01-02")]
    [TestCase("host the certificate does not name", "is not trusted", "is for 127.0.0.1, not localhost")]
    [TestCase("client certificate of another CA", "refused the client certificate CN=cachefrom-stranger", "signed by the CA the engine trusts")]
    [TestCase("TLS to a plain engine", "does not speak TLS", "Unset DOCKER_TLS_VERIFY")]
    [TestCase("plain HTTP to a TLS engine", "closed it without answering", "set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH")]
    [CancelAfter(60_000)]
    public async Task Getting_TLS_wrong_ends_in_one_message_naming_the_endpoint_the_cause_and_what_to_set(
        string mistake, string cause, string advice, CancellationToken cancellationToken)
    {
        await using var proxy = mistake switch
        {
            "expired engine certificate" => await TlsEngineProxy.StartAsync(_certificates, _certificates.ExpiredServerCertificate, _certificates.ExpiredServerKey, cancellationToken: cancellationToken),
            _ => await TlsEngineProxy.StartAsync(_certificates, cancellationToken: cancellationToken),
        };
        await using var plain = mistake == "TLS to a plain engine" ? await TlsEngineProxy.StartPlainAsync(cancellationToken) : null;
        var host = mistake switch
        {
            "host the certificate does not name" => $"tcp://localhost:{proxy.Port}",
            "TLS to a plain engine" => plain!.Host,
            _ => proxy.Host,
        };
        var certPath = mistake switch
        {
            "wrong CA" => _certificates.ClientDirectory("other-ca", _certificates.OtherCaFile, _certificates.ClientCertificate, _certificates.ClientKey),
            "client certificate of another CA" => _certificates.ClientDirectory("stranger", certificate: _certificates.StrangerCertificate, key: _certificates.StrangerKey),
            _ => _certificates.ClientDirectory(),
        };
        using var tls = mistake == "plain HTTP to a TLS engine" ? null : TlsEnvironment(certPath);
        var log = new TestLogger();

        var exception = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => DockerEngine.ConnectAsync(host, log.Logger, cancellationToken));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain(host).And.Contain(cause).And.Contain(advice));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task DOCKER_TLS_without_DOCKER_TLS_VERIFY_encrypts_without_checking_the_engine_certificate_as_the_CLI_does(CancellationToken cancellationToken)
    {
        await using var proxy = await TlsEngineProxy.StartAsync(_certificates, cancellationToken: cancellationToken);
        var certPath = _certificates.ClientDirectory("other-ca-unverified", _certificates.OtherCaFile, _certificates.ClientCertificate, _certificates.ClientKey);
        using var certs = new EnvironmentOverride("DOCKER_CERT_PATH", certPath);
        using var tls = new EnvironmentOverride("DOCKER_TLS", "1");
        using var verify = new EnvironmentOverride("DOCKER_TLS_VERIFY", null);
        var log = new TestLogger();

        await using var engine = await DockerEngine.ConnectAsync(proxy.Host, log.Logger, cancellationToken);

        Assert.That(log.Lines, Has.Some.Contains("TLS not verified"));
        Assert.That(await engine.ExistsLocallyAsync(TestEnvironment.BaseImage, cancellationToken), Is.True, "the API answers over the unverified TLS connection");
    }

    /// <summary>Runs <paramref name="call"/> with the TLS variables set; the test's own docker CLI calls must not see them.</summary>
    private static async Task<T> WithTlsAsync<T>(string certPath, Func<Task<T>> call)
    {
        using var tls = TlsEnvironment(certPath);
        return await call();
    }

    private static CompositeOverride TlsEnvironment(string certPath) =>
        new(new EnvironmentOverride("DOCKER_TLS_VERIFY", "1"), new EnvironmentOverride("DOCKER_CERT_PATH", certPath), new EnvironmentOverride("DOCKER_TLS", null));

    private sealed class CompositeOverride(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts.Reverse())
                part.Dispose();
        }
    }
}
