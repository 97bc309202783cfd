using CacheFrom.Docker.Connection;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>The one engine endpoint parser, against the docker CLI's reading of DOCKER_HOST and its TLS variables.</summary>
[TestFixture]
public sealed class DockerEndpointTests
{
    private TlsCertificates _certificates = null!;

    [OneTimeSetUp]
    public async Task MakeCertificates() => _certificates = await TlsCertificates.CreateAsync();

    [OneTimeTearDown]
    public void DeleteCertificates() => _certificates.Dispose();

    [TestCase(null, null, "unix:///var/run/docker.sock", "default socket")]
    [TestCase(null, "", "unix:///var/run/docker.sock", "default socket")]
    [TestCase(null, "unix:///run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock", "DOCKER_HOST")]
    [TestCase(null, "unix://", "unix:///var/run/docker.sock", "DOCKER_HOST")]
    [TestCase("tcp://10.0.0.5:2375", "unix:///ignored.sock", "tcp://10.0.0.5:2375", "docker host parameter")]
    [TestCase(null, "tcp://docker.example.com", "tcp://docker.example.com:2375", "DOCKER_HOST")]
    [TestCase(null, "tcp://docker:2376", "tcp://docker:2376", "DOCKER_HOST")]
    [TestCase(null, "  tcp://docker:2376/  ", "tcp://docker:2376", "DOCKER_HOST")]
    [TestCase(null, "docker:2376", "tcp://docker:2376", "DOCKER_HOST")]
    [TestCase(null, "docker", "tcp://docker:2375", "DOCKER_HOST")]
    [TestCase(null, "tcp://", "tcp://localhost:2375", "DOCKER_HOST")]
    [TestCase(null, "tcp://:2376", "tcp://localhost:2376", "DOCKER_HOST")]
    [TestCase(null, "tcp://[::1]:2376", "tcp://[::1]:2376", "DOCKER_HOST")]
    [TestCase(null, "tcp://[fd00::5]", "tcp://[fd00::5]:2375", "DOCKER_HOST")]
    public void Given_a_docker_host_When_resolved_Then_it_means_what_the_docker_CLI_means(string? parameter, string? environmentHost, string expected, string source)
    {
        var endpoint = DockerEndpoint.Resolve(parameter, new Dictionary<string, string?> { ["DOCKER_HOST"] = environmentHost });

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.ToString(), Is.EqualTo(expected));
            Assert.That(endpoint.Source, Is.EqualTo(source));
            Assert.That(endpoint.Tls, Is.Null, "no TLS variable is set");
            Assert.That(endpoint.IsUnix, Is.EqualTo(expected.StartsWith("unix://", StringComparison.Ordinal)));
        });
    }

    [Test]
    public void Given_an_IPv6_endpoint_When_resolved_Then_the_host_is_the_bare_address_and_the_api_uri_brackets_it()
    {
        var endpoint = DockerEndpoint.Resolve("tcp://[::1]:2376", new Dictionary<string, string?>());

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Host, Is.EqualTo("::1"));
            Assert.That(endpoint.Port, Is.EqualTo(2376));
            Assert.That(endpoint.ApiUri.ToString(), Is.EqualTo("http://[::1]:2376/"));
            Assert.That(endpoint.HostHeader, Is.EqualTo("[::1]:2376"));
        });
    }

    // The CLI: any non-empty DOCKER_TLS_VERIFY (even "0") verifies; DOCKER_TLS alone encrypts without verifying.
    [TestCase("1", null, true, true)]
    [TestCase("0", null, true, true)]
    [TestCase("false", null, true, true)]
    [TestCase("", null, false, false)]
    [TestCase(null, "1", true, false)]
    [TestCase("", "1", true, false)]
    [TestCase("1", "1", true, true)]
    [TestCase(null, "", false, false)]
    public void Given_the_TLS_variables_When_a_tcp_endpoint_is_resolved_Then_TLS_and_verification_follow_the_CLI(
        string? tlsVerify, string? tls, bool usesTls, bool verifies)
    {
        var endpoint = DockerEndpoint.Resolve("tcp://docker:2376", new Dictionary<string, string?>
        {
            ["DOCKER_TLS_VERIFY"] = tlsVerify,
            ["DOCKER_TLS"] = tls,
            ["DOCKER_CERT_PATH"] = _certificates.ClientDirectory(),
        });

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Tls is not null, Is.EqualTo(usesTls));
            Assert.That(endpoint.Tls?.Verify ?? false, Is.EqualTo(verifies));
            Assert.That(endpoint.Port, Is.EqualTo(2376));
        });
    }

    [Test]
    public void Given_DOCKER_TLS_VERIFY_and_a_host_without_port_When_resolved_Then_the_port_is_2375_as_in_the_CLI()
    {
        var endpoint = DockerEndpoint.Resolve("tcp://docker", Tls(_certificates.ClientDirectory()));

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.ToString(), Is.EqualTo("tcp://docker:2375"));
            Assert.That(endpoint.Tls?.Verify, Is.True);
        });
    }

    [Test]
    public void Given_DOCKER_TLS_VERIFY_and_no_host_When_resolved_Then_it_is_the_local_TLS_port()
    {
        var endpoint = DockerEndpoint.Resolve(null, Tls(_certificates.ClientDirectory()));

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.ToString(), Is.EqualTo("tcp://localhost:2376"));
            Assert.That(endpoint.Source, Is.EqualTo("default TLS endpoint"));
            Assert.That(endpoint.Tls, Is.Not.Null);
        });
    }

    [Test]
    public void Given_DOCKER_TLS_VERIFY_and_a_unix_socket_When_resolved_Then_TLS_does_not_apply_and_no_file_is_needed()
    {
        var endpoint = DockerEndpoint.Resolve("unix:///tmp/engine.sock", Tls(Path.Combine(_certificates.Directory, "does-not-exist")));

        Assert.That(endpoint.Tls, Is.Null);
    }

    [Test]
    public void Given_a_cert_path_with_a_client_certificate_When_resolved_Then_the_CA_and_the_client_certificate_are_loaded()
    {
        var directory = _certificates.ClientDirectory();

        var tls = DockerEndpoint.Resolve("tcp://127.0.0.1:2376", Tls(directory)).Tls!;

        Assert.Multiple(() =>
        {
            Assert.That(tls.Directory, Is.EqualTo(directory));
            Assert.That(tls.Authorities, Has.Count.EqualTo(1));
            Assert.That(tls.Authorities[0].Subject, Is.EqualTo("CN=cachefrom-test-ca"));
            Assert.That(tls.ClientCertificate?.Subject, Is.EqualTo("CN=cachefrom-test-client"));
            Assert.That(tls.ClientCertificate?.HasPrivateKey, Is.True);
        });
    }

    [Test]
    public void Given_a_cert_path_with_only_cert_pem_When_resolved_Then_no_client_certificate_is_offered()
    {
        var directory = _certificates.ClientDirectory("cert-only", certificate: _certificates.ClientCertificate);

        Assert.That(DockerEndpoint.Resolve("tcp://127.0.0.1:2376", Tls(directory)).Tls!.ClientCertificate, Is.Null);
    }

    [Test]
    public void Given_no_DOCKER_CERT_PATH_When_resolved_Then_the_files_come_from_DOCKER_CONFIG_else_HOME_docker()
    {
        var config = _certificates.ClientDirectory("config-dir");
        var home = Path.Combine(_certificates.Directory, "home");
        _certificates.ClientDirectory(Path.Combine("home", ".docker"));

        var fromConfig = DockerEndpoint.Resolve("tcp://h:2376", new Dictionary<string, string?> { ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CONFIG"] = config });
        var fromHome = DockerEndpoint.Resolve("tcp://h:2376", new Dictionary<string, string?> { ["DOCKER_TLS_VERIFY"] = "1", ["HOME"] = home });

        Assert.Multiple(() =>
        {
            Assert.That(fromConfig.Tls!.Directory, Is.EqualTo(config));
            Assert.That(fromHome.Tls!.Directory, Is.EqualTo(Path.Combine(home, ".docker")));
        });
    }

    [Test]
    public void Given_DOCKER_TLS_VERIFY_without_a_ca_pem_When_resolved_Then_one_message_names_the_file_and_what_to_set()
    {
        var missing = Path.Combine(_certificates.Directory, "empty-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(missing);

        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerEndpoint.Resolve("tcp://docker:2376", Tls(missing)));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain(Path.Combine(missing, "ca.pem")).And.Contain("DOCKER_CERT_PATH").And.Contain("DOCKER_TLS_VERIFY"));
    }

    [Test]
    public void Given_a_key_that_does_not_match_the_certificate_When_resolved_Then_one_message_names_both_files()
    {
        var directory = _certificates.ClientDirectory("mismatched", certificate: _certificates.ClientCertificate, key: _certificates.ServerKey);

        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerEndpoint.Resolve("tcp://docker:2376", Tls(directory)));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain(Path.Combine(directory, "cert.pem")).And.Contain(Path.Combine(directory, "key.pem")));
    }

    [TestCase("https://docker:2376", "tcp://host:2376")]
    [TestCase("http://docker:2375", "tcp://host:port")]
    [TestCase("ssh://user@docker", "unix:///tmp/docker.sock")]
    [TestCase("npipe:////./pipe/docker_engine", "npipe:// is not supported")]
    [TestCase("fd://", "fd:// is not supported")]
    [TestCase("/var/run/docker.sock", "unix:///var/run/docker.sock")]
    [TestCase("tcp://docker:port", "'port' is not a port number")]
    [TestCase("tcp://docker:70000", "'70000' is not a port number")]
    [TestCase("tcp://docker:2375/prefix", "path")]
    [TestCase("tcp://::1:2375", "brackets")]
    [TestCase("tcp://tcp://docker", "second scheme")]
    public void Given_a_value_docker_does_not_accept_When_resolved_Then_the_message_names_it_and_the_form_that_works(string value, string hint)
    {
        var exception = Assert.Throws<CacheFromException>(() => DockerEndpoint.Resolve(null, new Dictionary<string, string?> { ["DOCKER_HOST"] = value }));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain($"'{value}' (from DOCKER_HOST)").And.Contain(hint));
    }

    private static Dictionary<string, string?> Tls(string certPath) =>
        new() { ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = certPath };
}
