using System.Text;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Services;
using CacheFrom.BuildKit.Session.Transport;
using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Session;

/// <summary>The session's parsing and lookups, without an engine.</summary>
[TestFixture]
public sealed class SessionUnitTests
{
    [TestCase(null, null, "unix:///var/run/docker.sock", "/var/run/docker.sock", null, 0)]
    [TestCase(null, "unix:///run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock", null, 0)]
    [TestCase("tcp://10.0.0.5:2375", "unix:///ignored.sock", "tcp://10.0.0.5:2375", null, "10.0.0.5", 2375)]
    [TestCase(null, "tcp://docker.example.com", "tcp://docker.example.com", null, "docker.example.com", 2375)]
    public void Given_a_docker_host_When_the_endpoint_is_resolved_Then_it_means_what_docker_means(
        string? dockerHost, string? environmentHost, string display, string? socketPath, string? host, int port)
    {
        var endpoint = EngineEndpoint.Resolve(dockerHost, new Dictionary<string, string?> { ["DOCKER_HOST"] = environmentHost });

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Display, Is.EqualTo(display));
            Assert.That(endpoint.SocketPath, Is.EqualTo(socketPath));
            Assert.That(endpoint.Host, Is.EqualTo(host));
            Assert.That(endpoint.Port, Is.EqualTo(port));
            Assert.That(endpoint.Tls, Is.False);
        });
    }

    [Test]
    public void Given_DOCKER_TLS_VERIFY_When_the_endpoint_is_resolved_Then_it_uses_TLS_with_the_cert_path()
    {
        var endpoint = EngineEndpoint.Resolve("tcp://docker.example.com", new Dictionary<string, string?>
        {
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CERT_PATH"] = "/certs",
        });

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Tls, Is.True);
            Assert.That(endpoint.Port, Is.EqualTo(2376));
            Assert.That(endpoint.CertificatePath, Is.EqualTo("/certs"));
        });
    }

    [Test]
    public void Given_an_unsupported_docker_host_When_resolved_Then_the_message_names_the_forms_that_work()
    {
        var failure = Assert.Throws<DockerEngineUnavailableException>(() =>
            EngineEndpoint.Resolve("ssh://user@host", new Dictionary<string, string?>()));

        Assert.That(failure!.Message, Does.Contain("ssh://user@host").And.Contain("unix://").And.Contain("tcp://"));
    }

    [Test]
    public void Given_explicit_credentials_When_BuildKit_asks_for_their_host_Then_they_win_over_the_config_file()
    {
        using var config = DockerConfig("127.0.0.1:5000", "config-user", "config-password");
        var session = State(config.Environment, new Dictionary<string, RegistryCredentials> { ["http://127.0.0.1:5000/"] = new("explicit", "explicit-password") });

        Assert.Multiple(() =>
        {
            Assert.That(AuthService.Find(session, "127.0.0.1:5000")?.Username, Is.EqualTo("explicit"));
            Assert.That(AuthService.Find(session, "registry.example.com"), Is.Null);
        });
    }

    [Test]
    public void Given_only_the_docker_config_file_When_BuildKit_asks_Then_its_auths_answer()
    {
        using var config = DockerConfig("https://index.docker.io/v1/", "hub-user", "hub-token");
        var session = State(config.Environment, new Dictionary<string, RegistryCredentials>());

        var credentials = AuthService.Find(session, "registry-1.docker.io");

        Assert.That(credentials?.Username, Is.EqualTo("hub-user"));
        Assert.That(credentials?.Password, Is.EqualTo("hub-token"));
    }

    private static SessionState State(IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, RegistryCredentials> credentials) =>
        new("test", credentials, [], new Dictionary<string, string>(), Path.GetTempPath(), environment, new TestLogger().Logger);

    private static TempDockerConfig DockerConfig(string key, string user, string password)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-dockerconfig-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        File.WriteAllText(Path.Combine(directory, "config.json"), System.Text.Json.JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [key] = new { auth } } }));
        return new TempDockerConfig(directory);
    }

    private sealed class TempDockerConfig(string directory) : IDisposable
    {
        public IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = directory };

        public void Dispose() => Directory.Delete(directory, recursive: true);
    }
}
