using System.Text;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.BuildKit.Session.Services;
using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Session;

/// <summary>The session's lookups, without an engine (its endpoint is DockerEndpoint's: DockerEndpointTests).</summary>
[TestFixture]
public sealed class SessionUnitTests
{
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
        new("test", credentials, [], new Dictionary<string, string>(), LocalDirectory.For(null), Path.GetTempPath(), environment, new TestLogger().Logger);

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
