using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Registries whose address holds the words a substring match once took for a refused login: a
/// CI run failed when the fault proxy's random port was 34015 ("401"), and "connection refused"
/// became "check your credentials" and was not retried. The engine's real answers decide. (The
/// classic builder: the question is the registry's answers, on every engine, the containerd store included.)
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class MisleadingRegistryNameTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task A_dead_registry_on_a_port_holding_401_is_retried_as_unreachable_and_never_called_a_login_problem(CancellationToken cancellationToken)
    {
        var port = FreePortHolding401();
        var registry = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{registry}/cachefrom-tests/port-401", BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();

        var exception = Assert.ThrowsAsync<RegistryException>(() => PipelineRunner.PublishAsync(options, log, cancellationToken));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain($"registry {registry} is unreachable (connection refused)").And.Contain("gave up after 4 attempts"));
            Assert.That(exception.Message, Does.Not.Contain("docker login").And.Not.Contain("docker-username"));
            Assert.That(exception.InnerException, Is.Not.InstanceOf<RegistryAuthenticationException>());
            Assert.That(log.Retries().Count(l => l.Contains("push of", StringComparison.Ordinal)), Is.EqualTo(3), "the push was retried three times");
            Assert.That(log.Retries().Count(l => l.Contains("registry check of", StringComparison.Ordinal)), Is.GreaterThan(0), "the cache checks too");
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_registry_host_named_denied_that_does_not_resolve_is_unreachable_not_a_refused_login(CancellationToken cancellationToken)
    {
        const string registry = "denied-registry.invalid:5000";
        using var sample = SampleProject.Create(slowSeconds: 1);
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, $"{registry}/cachefrom-tests/denied-host", BuilderKind.Classic, CacheMode.Registry);
        options.Retry = ReliabilitySupport.FastRetries();

        var exception = Assert.ThrowsAsync<RegistryException>(() => PipelineRunner.PublishAsync(options, log, cancellationToken));

        // Whether the resolver says "no such host" (host not found) or cannot be asked (unreachable) depends on the machine's DNS.
        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain($"registry {registry} is unreachable ("));
            Assert.That(exception.Message, Does.Not.Contain("docker login").And.Not.Contain("refused the"));
            Assert.That(exception.InnerException, Is.Not.InstanceOf<RegistryAuthenticationException>());
        });
    }

    /// <summary>A free loopback port whose number holds "401" (34015 first, the one of the failed CI run).</summary>
    private static int FreePortHolding401()
    {
        var candidates = new[] { 34015 }.Concat(Enumerable.Range(40100, 100)).Concat(Enumerable.Range(34010, 10)).Concat(Enumerable.Range(24010, 10));
        foreach (var port in candidates)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try the next.
            }
        }

        Assert.Inconclusive("no free loopback port holding 401");
        return 0;
    }
}
