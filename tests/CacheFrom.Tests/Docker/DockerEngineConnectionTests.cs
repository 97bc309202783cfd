using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Docker.Connection;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// The connection to the engine: API negotiation, and an engine that dies mid-call. "No engine at
/// DOCKER_HOST" (socket and tcp) is Reliability/EngineFaultTests', through the pipeline as a user meets it.
/// </summary>
public class DockerEngineConnectionTests
{
    [Test]
    [Category("Docker")]
    public async Task Connecting_to_the_local_engine_negotiates_the_highest_shared_api_version()
    {
        var log = new TestLogger();

        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var engineVersion = (await DockerCli.CheckAsync("version", "--format", "{{.Server.APIVersion}}")).Trim();
        var expected = Version.Parse(engineVersion) < ApiVersionNegotiation.ClientMaximum ? engineVersion : ApiVersionNegotiation.ClientMaximum.ToString();
        Assert.That(engine.ApiVersion, Is.EqualTo(expected));
        Assert.That(engine.Endpoint, Does.StartWith("unix://").Or.StartWith("tcp://"));
    }

    [TestCase("1.12", "1.41", "1.41")]
    [TestCase("1.44", "1.99", "1.54")]
    public void The_api_version_is_the_highest_both_sides_speak(string engineMinimum, string engineMaximum, string expected)
    {
        Assert.That(ApiVersionNegotiation.Negotiate(engineMaximum, engineMinimum, "test").ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void An_engine_older_than_api_1_41_is_refused_with_an_upgrade_hint()
    {
        var exception = Assert.Throws<CacheFromException>(() => ApiVersionNegotiation.Negotiate("1.40", "1.12", "tcp://old:2375"));

        Assert.That(exception!.Message, Does.Contain("tcp://old:2375").And.Contain("Upgrade"));
    }

    [Test]
    public async Task An_engine_that_goes_away_mid_build_is_reported_as_unavailable_without_hanging()
    {
        var log = new TestLogger();
        await using var vanishing = new VanishingEngine();
        await using var engine = await DockerEngine.ConnectAsync(vanishing.Host, log.Logger);
        using var context = new TemporaryContext("FROM BASE\nRUN true\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var exception = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => engine.BuildAsync(
            new ImageBuildRequest
            {
                ContextDirectory = context.Directory,
                DockerfilePath = context.DockerfilePath,
                Tags = ["cachefrom-tests/vanishing:x"],
                DisplayName = "doomed image",
            },
            timeout.Token));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain(vanishing.SocketPath).And.Contain("DOCKER_HOST"));
    }
}
