using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.References;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineAuthenticatedRegistryTests
{
    [Test]
    public async Task With_credentials_a_push_inspect_and_pull_against_a_password_registry_succeed()
    {
        var log = new TestLogger();
        await using var registry = await AuthRegistry.StartAsync();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(registry.UniqueRepository("auth"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);

        await engine.PushAsync(reference, registry.Credentials);
        var remote = await engine.InspectRemoteAsync(reference, registry.Credentials);
        await DockerCli.CheckAsync("rmi", reference.ToString());
        await engine.PullAsync(reference, registry.Credentials);

        Assert.That(remote, Is.Not.Null);
        Assert.That(await DockerCli.ImageExistsAsync(reference.ToString()), Is.True);
        Assert.That(SecretScan.Contains(log.AllText, registry.Password), Is.False, "the password, in any encoding, is not in the log");
    }

    [Test]
    public async Task Without_credentials_inspecting_a_password_registry_is_an_authentication_error()
    {
        var log = new TestLogger();
        await using var registry = await AuthRegistry.StartAsync();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<RegistryAuthenticationException>(() =>
            engine.InspectRemoteAsync(ImageReference.Parse(registry.UniqueRepository("anon"), "v1"), credentials: null));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Registry, Is.EqualTo(registry.Address));
        Assert.That(exception.Message, Does.Contain(registry.Address).And.Contain("docker login"));
    }

    [Test]
    public async Task A_wrong_password_on_push_is_an_authentication_error_that_never_shows_the_password()
    {
        var log = new TestLogger();
        await using var registry = await AuthRegistry.StartAsync();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var reference = ImageReference.Parse(registry.UniqueRepository("wrong"), "v1");
        await engine.TagAsync(TestEnvironment.BaseImage, reference);
        var wrong = new RegistryCredentials(registry.User, "wrong-" + Guid.NewGuid().ToString("N"));

        var exception = Assert.ThrowsAsync<RegistryAuthenticationException>(() => engine.PushAsync(reference, wrong));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain("docker-username/docker-password"));
        Assert.That(SecretScan.Contains(exception.ToString(), wrong.Password), Is.False);
        Assert.That(SecretScan.Contains(log.AllText, wrong.Password), Is.False);
    }
}
