using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.Configuration;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary>Registry credentials through the session: BuildKit imports cache from a password-protected registry without a pull.</summary>
[TestFixture]
[Category("Docker")]
public sealed class BuildKitSessionRegistryTests
{
    [Test]
    public async Task Given_an_htpasswd_registry_When_BuildKit_builds_with_a_session_Then_every_builder_RUN_is_cached_without_a_pull()
    {
        await using var registry = await AuthRegistry.StartAsync();
        using var project = SampleProject.Create(slowSeconds: 1);
        using var api = new RawEngineApi();
        var log = new TestLogger();
        var repository = registry.UniqueRepository("session-warm");

        // A previous CI run: builds the builder stage with inline cache and pushes it with credentials.
        var cold = await ColdBuildAsync(api, project.Directory, repository + ":builder", log);
        Assert.That(cold.Errors, Is.Empty, cold.ToString());
        Assert.That(await api.PushAsync(repository, "builder", registry.Credentials), Is.Empty);

        // A fresh runner: nothing local but the base image.
        await EngineReset.EmptyAsync();

        await using var host = Host(log);
        var credentials = new Dictionary<string, RegistryCredentials> { [registry.Address] = registry.Credentials };
        await using var session = await host.OpenAsync(Request(project.Directory, credentials));
        var warm = await api.BuildAsync(project.Directory, repository + ":warm", target: "builder", cacheFrom: [repository + ":builder"], sessionId: session.Id, contextInSession: true);

        Assert.Multiple(() =>
        {
            Assert.That(warm.Errors, Is.Empty, warm.ToString());
            Assert.That(warm.RunSteps("builder").ToList(), Has.Count.GreaterThanOrEqualTo(2), warm.ToString());
            Assert.That(warm.RunSteps("builder").Where(v => !v.Cached).Select(v => v.Name), Is.Empty, warm.ToString());
            Assert.That(session.Fault, Is.Null);
            Assert.That(log.AllText, Does.Contain($"answered as \"{registry.User}\""), "the engine asked the session for the registry's credentials");
            Assert.That(log.AllText, Does.Not.Contain(registry.Password));
            Assert.That(warm.AllText, Does.Not.Contain(registry.Password));
        });
        Assert.That(await DockerCli.ImageExistsAsync(repository + ":builder"), Is.False, "the cache image must not have been pulled");
    }

    [Test]
    public async Task Given_wrong_credentials_When_BuildKit_builds_with_a_session_Then_it_builds_cold_and_the_engine_says_unauthorized()
    {
        await using var registry = await AuthRegistry.StartAsync();
        using var project = SampleProject.Create(slowSeconds: 1);
        using var api = new RawEngineApi();
        var log = new TestLogger();
        var repository = registry.UniqueRepository("session-wrong");

        var cold = await ColdBuildAsync(api, project.Directory, repository + ":builder", log);
        Assert.That(cold.Errors, Is.Empty, cold.ToString());
        Assert.That(await api.PushAsync(repository, "builder", registry.Credentials), Is.Empty);
        await EngineReset.EmptyAsync();

        await using var host = Host(log);
        var wrong = new Dictionary<string, RegistryCredentials> { [registry.Address] = new(registry.User, "not-the-password") };
        await using var session = await host.OpenAsync(Request(project.Directory, wrong));
        var result = await api.BuildAsync(project.Directory, repository + ":warm", target: "builder", cacheFrom: [repository + ":builder"], sessionId: session.Id, contextInSession: true);

        TestContext.Progress.WriteLine(result.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(result.Errors, Is.Empty, "a cache that cannot be read never fails a build");
            Assert.That(result.RunSteps("builder").Where(v => v.Cached), Is.Empty, result.ToString());
            Assert.That(
                result.Vertices.Values.Where(v => v.Name.StartsWith("importing cache manifest", StringComparison.Ordinal)).Select(v => v.Error),
                Has.Some.Contains("401 Unauthorized"),
                "the build output names the refused cache import");
            Assert.That(session.Fault, Is.Null);
        });
    }

    /// <summary>A build with a session that only streams the context: the one way that works on every engine.</summary>
    private static async Task<RawBuildResult> ColdBuildAsync(RawEngineApi api, string context, string tag, TestLogger log)
    {
        await using var host = Host(log);
        await using var session = await host.OpenAsync(Request(context));
        return await api.BuildAsync(context, tag, target: "builder", sessionId: session.Id, contextInSession: true);
    }

    [Test]
    public async Task Given_wrong_credentials_When_pushing_Then_the_engine_refuses_with_an_authentication_error()
    {
        await using var registry = await AuthRegistry.StartAsync();
        using var project = SampleProject.Create(slowSeconds: 0);
        using var api = new RawEngineApi();
        var repository = registry.UniqueRepository("session-push");

        var build = await ColdBuildAsync(api, project.Directory, repository + ":latest", new TestLogger());
        Assert.That(build.Errors, Is.Empty, build.ToString());
        var errors = await api.PushAsync(repository, "latest", new RegistryCredentials(registry.User, "not-the-password"));

        Assert.That(string.Join('\n', errors), Does.Contain("unauthorized").IgnoreCase.Or.Contain("authentication required").IgnoreCase);
    }
}
