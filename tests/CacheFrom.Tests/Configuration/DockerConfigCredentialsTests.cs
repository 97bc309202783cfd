using System.Text;
using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Docker.Registry;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Configuration;

/// <summary>
/// Credentials from the Docker config as the docker CLI finds them: credHelpers[registry], else
/// credsStore, else auths; helpers run as <c>docker-credential-NAME get</c> (small shell scripts
/// on PATH here), with the server address docker would send; what they print never reaches an exception.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DockerConfigCredentialsTests
{
    private DockerConfigDirectory _config = null!;
    private IDisposable _path = null!;

    [SetUp]
    public void MakeAConfigDirectory()
    {
        _config = DockerConfigDirectory.Create();
        _path = _config.OnPath();
    }

    [TearDown]
    public void DeleteIt()
    {
        _path.Dispose();
        _config.Dispose();
    }

    [Test]
    public void The_registrys_own_helper_wins_over_the_store_and_the_auths_entry()
    {
        var own = DockerConfigDirectory.UniqueHelperName("own");
        var store = DockerConfigDirectory.UniqueHelperName("store");
        _config.AnsweringHelper(own, "from-own-helper", "own-secret");
        _config.AnsweringHelper(store, "from-store", "store-secret");
        _config.WriteConfig(new
        {
            credHelpers = new Dictionary<string, string> { ["registry.example.com"] = own },
            credsStore = store,
            auths = new Dictionary<string, object> { ["registry.example.com"] = new { auth = Basic("from-auths", "auths-secret") } },
        });

        var lookup = DockerConfigCredentials.Find("registry.example.com", _config.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(lookup.Credentials?.Username, Is.EqualTo("from-own-helper"));
            Assert.That(lookup.Credentials?.Password, Is.EqualTo("own-secret"));
            Assert.That(lookup.Source, Does.Contain($"docker-credential-{own}").And.Contain("credHelpers"));
            Assert.That(_config.StdinOf(own), Is.EqualTo("registry.example.com"), "the server address on stdin, as docker sends it");
            Assert.That(_config.StdinOf(store), Is.Null, "the store is not asked");
        });
    }

    [Test]
    public void Without_an_own_helper_the_store_answers_and_the_auths_entry_is_not_used_as_with_docker()
    {
        var store = DockerConfigDirectory.UniqueHelperName("store");
        _config.EmptyHelper(store);
        _config.WriteConfig(new
        {
            credHelpers = new Dictionary<string, string> { ["other.example.com"] = "never-run" },
            credsStore = store,
            auths = new Dictionary<string, object> { ["127.0.0.1:5000"] = new { auth = Basic("from-auths", "auths-secret") } },
        });

        var lookup = DockerConfigCredentials.Find("127.0.0.1:5000", _config.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(lookup.Credentials, Is.Null, "\"credentials not found\" means anonymous, not an error, and not the auths entry");
            Assert.That(lookup.Source, Does.Contain($"docker-credential-{store}").And.Contain("credsStore"));
            Assert.That(_config.StdinOf(store), Is.EqualTo("127.0.0.1:5000"));
        });
    }

    [TestCase("auth")]
    [TestCase("username/password")]
    public void Without_helpers_the_auths_entry_answers(string form)
    {
        object entry = form == "auth" ? new { auth = Basic("user", "pass:with:colons") } : new { username = "user", password = "pass:with:colons" };
        _config.WriteConfig(new { auths = new Dictionary<string, object> { ["https://registry.example.com/v2/"] = entry } });

        var lookup = DockerConfigCredentials.Find("registry.example.com", _config.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(lookup.Credentials?.Username, Is.EqualTo("user"));
            Assert.That(lookup.Credentials?.Password, Is.EqualTo("pass:with:colons"));
            Assert.That(lookup.Source, Does.StartWith("auths in"));
        });
    }

    [Test]
    public void An_identitytoken_in_auths_and_a_token_username_from_a_helper_are_identity_tokens()
    {
        var helper = DockerConfigDirectory.UniqueHelperName("token");
        _config.AnsweringHelper(helper, "<token>", "refresh-token-from-helper");
        _config.WriteConfig(new
        {
            credHelpers = new Dictionary<string, string> { ["acr.example.io"] = helper },
            auths = new Dictionary<string, object> { ["token.example.io"] = new { auth = Basic("user", "ignored"), identitytoken = "refresh-token-from-auths" } },
        });

        var fromHelper = DockerConfigCredentials.Find("acr.example.io", _config.Environment).Credentials;
        var fromAuths = DockerConfigCredentials.Find("token.example.io", _config.Environment).Credentials;

        Assert.Multiple(() =>
        {
            Assert.That(fromHelper?.IsIdentityToken, Is.True);
            Assert.That(fromHelper?.IdentityToken, Is.EqualTo("refresh-token-from-helper"));
            Assert.That(fromHelper?.Username, Is.Empty);
            Assert.That(fromAuths?.IdentityToken, Is.EqualTo("refresh-token-from-auths"));
            Assert.That(fromHelper?.ToString(), Does.Not.Contain("refresh-token"));
        });
    }

    [Test]
    public void An_identity_token_goes_to_the_engine_as_identitytoken_without_user_or_password()
    {
        var credentials = RegistryCredentials.FromIdentityToken("refresh-token");

        var config = RegistryAuth.ToAuthConfig(credentials, "acr.example.io");
        var header = Encoding.UTF8.GetString(Convert.FromBase64String(RegistryAuth.AuthHeaderValue(credentials, "acr.example.io").Replace('-', '+').Replace('_', '/')));

        Assert.Multiple(() =>
        {
            Assert.That(config.IdentityToken, Is.EqualTo("refresh-token"));
            Assert.That(config.Username, Is.Null);
            Assert.That(config.Password, Is.Null);
            Assert.That(JsonDocument.Parse(header).RootElement.GetProperty("identitytoken").GetString(), Is.EqualTo("refresh-token"));
            Assert.That(header, Does.Not.Contain("password"));
        });
    }

    // Docker Hub is filed under its index address, whatever name the image or BuildKit uses.
    [TestCase("https://index.docker.io/v1/", "https://index.docker.io/v1/")]
    [TestCase("docker.io", "https://index.docker.io/v1/")]
    [TestCase("index.docker.io", "https://index.docker.io/v1/")]
    [TestCase("registry-1.docker.io", "https://index.docker.io/v1/")]
    [TestCase("127.0.0.1:5000", "127.0.0.1:5000")]
    [TestCase("https://registry.example.com/v2/", "registry.example.com")]
    [TestCase("http://registry.example.com:8443", "registry.example.com:8443")]
    public void The_server_address_is_the_one_docker_uses(string registry, string expected)
    {
        var helper = DockerConfigDirectory.UniqueHelperName("address");
        _config.AnsweringHelper(helper, "user", "secret");
        _config.WriteConfig(new { credsStore = helper });

        var lookup = DockerConfigCredentials.Find(registry, _config.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(DockerConfigCredentials.Key(registry), Is.EqualTo(expected));
            Assert.That(_config.StdinOf(helper), Is.EqualTo(expected));
            Assert.That(lookup.Credentials?.Username, Is.EqualTo("user"));
        });
    }

    [TestCase("registry.example.com", "registry.example.com", true)]
    [TestCase("https://registry.example.com", "registry.example.com", true)]
    [TestCase("registry.example.com/v1/", "registry.example.com", true)]
    [TestCase("REGISTRY.example.com", "registry.example.com", true)]
    [TestCase("registry.example.com:443", "registry.example.com", false)]
    [TestCase("registry.example.com", "registry.example.com:5000", false)]
    [TestCase("example.com", "registry.example.com", false)]
    [TestCase("https://index.docker.io/v1/", "docker.io", true)]
    public void A_config_key_matches_the_registry_with_or_without_scheme_and_path_but_not_another_host_or_port(string key, string registry, bool matches)
    {
        _config.WriteConfig(new { auths = new Dictionary<string, object> { [key] = new { auth = Basic("user", "secret") } } });

        Assert.That(DockerConfigCredentials.Find(registry, _config.Environment).Credentials is not null, Is.EqualTo(matches));
    }

    [Test]
    public void A_helper_that_is_not_installed_gets_one_message_naming_it_the_registry_and_the_way_out()
    {
        _config.WriteConfig(new { credHelpers = new Dictionary<string, string> { ["registry.example.com"] = "cachefrom-not-installed" } });

        var exception = Assert.Throws<CacheFromException>(() => DockerConfigCredentials.Find("registry.example.com", _config.Environment));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain("docker-credential-cachefrom-not-installed is not on PATH")
            .And.Contain("registry.example.com").And.Contain("credHelpers").And.Contain("docker-username/docker-password"));
    }

    [Test]
    public void A_helper_that_fails_is_named_with_its_exit_code_and_nothing_it_printed()
    {
        var helper = DockerConfigDirectory.UniqueHelperName("failing");
        _config.Helper(helper, """
            cat >/dev/null
            echo "leaked-secret-on-stdout"
            echo "leaked-secret-on-stderr" >&2
            exit 3
            """);
        _config.WriteConfig(new { credsStore = helper });

        var exception = Assert.Throws<CacheFromException>(() => DockerConfigCredentials.Find("registry.example.com", _config.Environment));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain($"docker-credential-{helper}").And.Contain("exit code 3").And.Contain("registry.example.com"));
            Assert.That(exception.ToString(), Does.Not.Contain("leaked-secret"));
        });
    }

    [Test]
    public void A_helper_that_prints_no_json_is_named_without_what_it_printed()
    {
        var helper = DockerConfigDirectory.UniqueHelperName("garbage");
        _config.Helper(helper, """
            cat >/dev/null
            echo "leaked-secret not json"
            """);
        _config.WriteConfig(new { credsStore = helper });

        var exception = Assert.Throws<CacheFromException>(() => DockerConfigCredentials.Find("registry.example.com", _config.Environment));

        Assert.That(exception!.ToString(), Does.Contain($"docker-credential-{helper}").And.Not.Contain("leaked-secret"));
    }

    [Test]
    public void A_helper_that_hangs_is_stopped_at_the_timeout_with_one_message()
    {
        var helper = DockerConfigDirectory.UniqueHelperName("hanging");
        _config.Helper(helper, """
            cat >/dev/null
            exec sleep 120
            """);
        _config.WriteConfig(new { credsStore = helper });

        var exception = Assert.Throws<CacheFromException>(() => DockerConfigCredentials.Find("registry.example.com", _config.Environment, TimeSpan.FromSeconds(1)));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain($"docker-credential-{helper}").And.Contain("did not answer for registry.example.com within 1 s"));
    }

    [Test]
    public void A_missing_helper_named_by_the_config_stops_the_run_before_anything_touches_Docker()
    {
        _config.WriteConfig(new { credsStore = "cachefrom-not-installed" });
        var options = new CacheFromOptions { Image = "127.0.0.1:5000/team/app", Tag = "main", Context = _config.Directory, DockerFile = "config.json" };

        var exception = Assert.Throws<CacheFromException>(() => CacheFromSettings.Resolve(options, _config.Environment));

        Assert.That(exception!.Message, Does.Contain("docker-credential-cachefrom-not-installed").And.Contain("127.0.0.1:5000"));
    }

    [Test]
    public void A_tarball_run_of_a_local_image_runs_no_helper_so_a_missing_one_does_not_stop_it()
    {
        _config.WriteConfig(new { credsStore = "cachefrom-not-installed" });
        var options = new CacheFromOptions { Image = "team/app", Tag = "main", Context = _config.Directory, DockerFile = "config.json", Cache = CacheMode.Tarball };

        var settings = CacheFromSettings.Resolve(options, _config.Environment);

        Assert.That(settings.Credentials, Is.Null);
    }

    [Test]
    public void Explicit_credentials_are_used_without_running_any_helper()
    {
        var helper = DockerConfigDirectory.UniqueHelperName("unused");
        _config.AnsweringHelper(helper, "helper-user", "helper-secret");
        _config.WriteConfig(new { credsStore = helper });
        var options = new CacheFromOptions
        {
            Image = "127.0.0.1:5000/team/app", Tag = "main", Context = _config.Directory, DockerFile = "config.json",
            Credentials = new RegistryCredentials("explicit", "explicit-secret"),
        };

        var settings = CacheFromSettings.Resolve(options, _config.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(settings.Credentials?.Username, Is.EqualTo("explicit"));
            Assert.That(_config.StdinOf(helper), Is.Null);
        });
    }

    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
}
