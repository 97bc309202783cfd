using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// The tests empty the engine they run against, so they refuse any engine that scripts/engines.sh
/// did not start: no DOCKER_HOST, a default endpoint, or an engine without the test-engine label.
/// </summary>
[NonParallelizable]
public sealed class TestEngineRefusalTests
{
    [TestCase(null, "DOCKER_HOST is not set")]
    [TestCase("", "DOCKER_HOST is not set")]
    [TestCase(TestEnvironment.NoEngineHost, "DOCKER_HOST is not set")]
    [TestCase("unix:///var/run/docker.sock", "is a default endpoint")]
    [TestCase("unix:///run/docker.sock", "is a default endpoint")]
    [TestCase("unix:///var/run/../run/docker.sock", "is a default endpoint")]
    [TestCase("unix:///run/user/1000/docker.sock", "is a default endpoint")]
    public void An_unset_or_default_DOCKER_HOST_is_refused_even_when_the_engine_carries_the_label(string? dockerHost, string reason)
    {
        var refusal = TestEngine.Refusal(dockerHost, [TestEngine.OwnerLabel + "=d26c"]);

        Assert.That(refusal, Does.Contain(reason));
    }

    [Test]
    public void An_engine_on_its_own_socket_without_the_test_engine_label_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TestEngine.Refusal("unix:///tmp/mine/docker.sock", []), Does.Contain("does not carry the label org.cachefrom.test-engine"));
            Assert.That(TestEngine.Refusal("tcp://127.0.0.1:2375", ["com.example.owner=me"]), Does.Contain("does not carry the label"));
            Assert.That(TestEngine.Refusal("unix:///tmp/mine/docker.sock", [TestEngine.OwnerLabel + "="]), Does.Contain("does not carry the label"), "a label without a value is not the one engines.sh sets");
        });
    }

    [Test]
    public void A_labelled_engine_on_a_socket_of_its_own_is_a_test_engine()
    {
        Assert.That(TestEngine.Refusal("unix:///tmp/cachefrom-engines/d26c/docker.sock", ["com.example=1", TestEngine.OwnerLabel + "=d26c"]), Is.Null);
    }

    [Test]
    public void Emptying_the_engine_without_DOCKER_HOST_is_refused_with_a_message_saying_how_to_start_a_test_engine()
    {
        using var host = new EnvironmentOverride("DOCKER_HOST", null);

        var exception = Assert.ThrowsAsync<NotATestEngineException>(EngineReset.EmptyAsync);

        Assert.That(exception!.Message, Does.StartWith("Refusing to empty the Docker engine")
            .And.Contain("DOCKER_HOST is not set")
            .And.Contain("bash scripts/test.sh")
            .And.Contain("scripts/engines.sh start"));
    }

    [Test]
    public async Task Emptying_an_engine_without_the_test_engine_label_is_refused_after_reading_its_info_and_nothing_else()
    {
        await using var userEngine = new UnlabelledEngine();
        using var host = new EnvironmentOverride("DOCKER_HOST", userEngine.Host);

        var exception = Assert.ThrowsAsync<NotATestEngineException>(EngineReset.EmptyAsync);

        Assert.That(exception!.Message, Does.StartWith($"Refusing to empty the Docker engine at {userEngine.Host}")
            .And.Contain("does not carry the label org.cachefrom.test-engine"));
        var requests = userEngine.Requests;
        Assert.That(requests, Has.Count.GreaterThan(0), "the refusal comes from the engine's own labels");
        Assert.That(requests, Has.All.Matches<string>(r => r.StartsWith("HEAD /_ping", StringComparison.Ordinal) || (r.StartsWith("GET ", StringComparison.Ordinal) && r.EndsWith("/info", StringComparison.Ordinal))),
            "only the docker CLI's ping and info reached the engine: nothing was listed or removed");
    }

    [Test]
    public void Without_DOCKER_HOST_the_code_under_test_finds_no_engine_rather_than_the_default_socket()
    {
        Assert.That(Environment.GetEnvironmentVariable("DOCKER_HOST"), Is.Not.Null.And.Not.Empty.And.Not.EqualTo("unix:///var/run/docker.sock"),
            "the run's DOCKER_HOST: a test engine's, or nowhere");
        Assert.That(TestEngine.IsDefaultEndpoint(Environment.GetEnvironmentVariable("DOCKER_HOST")!), Is.False);
    }

    [Test]
    public void The_test_engine_endpoint_has_no_default()
    {
        using var host = new EnvironmentOverride("DOCKER_HOST", null);

        var exception = Assert.Throws<NotATestEngineException>(() => _ = TestEnvironment.DockerHost);

        Assert.That(exception!.Message, Does.Contain("DOCKER_HOST is not set").And.Contain("never the default socket"));
    }
}
