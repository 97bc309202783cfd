using System.Net;
using CacheFrom.Docker.Registry;
using CacheFrom.Resilience;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// RegistryErrors and TransientFaults over the engine's own words. The messages were captured on
/// 2026-12-01 from the test engines (d20: Docker 20.10, d26: Docker 26.1 overlay2 — the same words
/// as d20 —, d26c: Docker 26.1 with the containerd image store) pulling, pushing and checking
/// (<c>GET /distribution</c>) against a dead port, an unknown host, an htpasswd registry, and
/// small fake registries answering 403 DENIED, 429 TOOMANYREQUESTS and 5xx.
/// </summary>
[TestFixture]
public sealed class RegistryErrorsTests
{
    private static readonly object[] Captured =
    [
        // engine, call, engine HTTP status (0: inside a 200 stream), message, kind
        Case("d20", "pull", 500, """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d20", "push", 0, """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d20", "check", 500, """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d20", "pull", 500, """Get "https://denied-registry.invalid:5000/v2/": dial tcp: lookup denied-registry.invalid on 10.255.255.53:53: no such host""", RegistryFailureKind.HostNotFound),
        Case("d20", "push", 0, """Get "https://denied-registry.invalid:5000/v2/": dial tcp: lookup denied-registry.invalid on 10.255.255.53:53: no such host""", RegistryFailureKind.HostNotFound),
        Case("d20", "pull", 500, """Head "http://127.0.0.1:34120/v2/cap/auth/manifests/1": no basic auth credentials""", RegistryFailureKind.Unauthorized),
        Case("d20", "check", 500, """Head "http://127.0.0.1:34120/v2/cap/auth/manifests/1": no basic auth credentials""", RegistryFailureKind.Unauthorized),
        Case("d20", "push", 0, "no basic auth credentials", RegistryFailureKind.Unauthorized),
        // Four concurrent pushes of one tag on the containerd store (ConcurrentPipelineTests, CI on d26c).
        Case("d26c", "push", 0, """failed commit on ref "manifest-sha256:031f68e827e32f1a992499764d971f3ec715528a1f0e61526ec63f175caee5bd": unexpected status from PUT request to http://127.0.0.1:5100/v2/cachefrom-tests/concurrent-5c917ffc/manifests/main--builder: 400 Bad Request""", RegistryFailureKind.ManifestLayersPending),
        Case("d26c", "push", 0, """unexpected status from PUT request to http://127.0.0.1:5100/v2/app/manifests/x: 400 Bad Request""", RegistryFailureKind.Other),
        Case("d20", "pull", 500, "unauthorized: authentication required", RegistryFailureKind.Unauthorized),
        Case("d20", "push", 0, "unauthorized: authentication required", RegistryFailureKind.Unauthorized),
        Case("d20", "check", 401, "unauthorized: authentication required", RegistryFailureKind.Unauthorized),
        Case("d20", "pull", 404, "manifest for 127.0.0.1:34120/cap/authok:missing-tag not found: manifest unknown: manifest unknown", RegistryFailureKind.NotFound),
        Case("d20", "check", 404, "manifest unknown: manifest unknown", RegistryFailureKind.NotFound),
        Case("d20", "push", 0, "An image does not exist locally with the tag: 127.0.0.1:5105/cap/notlocal", RegistryFailureKind.NotLocal),
        Case("d20", "pull", 500, "denied", RegistryFailureKind.Denied),
        Case("d20", "push", 0, "denied", RegistryFailureKind.Denied),
        Case("d20", "check", 403, "denied", RegistryFailureKind.Denied),
        Case("d20", "pull", 500, "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit", RegistryFailureKind.RateLimited),
        Case("d20", "check", 429, "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit", RegistryFailureKind.RateLimited),
        Case("d20", "push", 0, "received unexpected HTTP status: 503 Service Unavailable", RegistryFailureKind.ServerError),
        Case("d20", "check", 500, "received unexpected HTTP status: 502 Bad Gateway", RegistryFailureKind.ServerError),
        Case("d20", "pull", 500, "received unexpected HTTP status: 500 Internal Server Error", RegistryFailureKind.ServerError),
        Case("d26", "pull", 500, """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d26", "check", 401, "unauthorized: authentication required", RegistryFailureKind.Unauthorized),
        Case("d26", "push", 0, "denied", RegistryFailureKind.Denied),
        Case("d26", "pull", 404, "manifest for 127.0.0.1:5105/cap/norepo:1 not found: manifest unknown: manifest unknown", RegistryFailureKind.NotFound),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34015/cap/dead:1": failed to do request: Head "https://127.0.0.1:34015/v2/cap/dead/manifests/1": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d26c", "push", 0, """failed to do request: Head "https://127.0.0.1:34015/v2/cap/dead/blobs/sha256:f202edb3132784f3fa053670a200de500cc43822dd7c39e15635c55fe3d73f88": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d26c", "pull", 500, """failed to resolve reference "denied-registry.invalid:5000/cap/nohost:1": failed to do request: Head "https://denied-registry.invalid:5000/v2/cap/nohost/manifests/1": dial tcp: lookup denied-registry.invalid on 10.255.255.53:53: no such host""", RegistryFailureKind.HostNotFound),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34120/cap/auth:1": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials""", RegistryFailureKind.Unauthorized),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34120/cap/auth:1": unexpected status from HEAD request to http://127.0.0.1:34120/v2/cap/auth/manifests/1: 401 Unauthorized""", RegistryFailureKind.Unauthorized),
        Case("d26c", "push", 0, "push access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials", RegistryFailureKind.Unauthorized),
        Case("d26c", "push", 0, "unexpected status from HEAD request to http://127.0.0.1:34120/v2/cap/auth/blobs/sha256:f202edb3132784f3fa053670a200de500cc43822dd7c39e15635c55fe3d73f88: 401 Unauthorized", RegistryFailureKind.Unauthorized),
        Case("d26c", "pull", 404, """failed to resolve reference "127.0.0.1:34120/cap/authok:missing-tag": 127.0.0.1:34120/cap/authok:missing-tag: not found""", RegistryFailureKind.NotFound),
        Case("d26c", "push", 0, "tag does not exist: 127.0.0.1:5105/cap/notlocal:1", RegistryFailureKind.NotLocal),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34115/cap/fake:1": unexpected status from HEAD request to http://127.0.0.1:34115/v2/cap/fake/manifests/1: 403 Forbidden""", RegistryFailureKind.Denied),
        Case("d26c", "push", 0, "unexpected status from HEAD request to http://127.0.0.1:34116/v2/cap/fake/blobs/sha256:22079f446d95ea6d8a49376e2cf497fa7ca854a585d540819d5faaeee231a42c: 429 Too Many Requests", RegistryFailureKind.RateLimited),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34117/cap/fake:1": unexpected status from HEAD request to http://127.0.0.1:34117/v2/cap/fake/manifests/1: 503 Service Unavailable""", RegistryFailureKind.ServerError),
        Case("d26c", "push", 0, "unexpected status from HEAD request to http://127.0.0.1:34118/v2/cap/fake/blobs/sha256:f202edb3132784f3fa053670a200de500cc43822dd7c39e15635c55fe3d73f88: 502 Bad Gateway", RegistryFailureKind.ServerError),
        Case("d26c", "check", 500, "received unexpected HTTP status: 500 Internal Server Error", RegistryFailureKind.ServerError),
        Case("d26c", "pull", 500, """failed to resolve reference "127.0.0.1:34115/cap/fake:1": failed to do request: Head "https://127.0.0.1:34115/v2/cap/fake/manifests/1": tls: first record does not look like a TLS handshake""", RegistryFailureKind.Untrusted),
    ];

    // Go's network phrasing and older engines' wording, not captured here: the same classification must hold.
    private static readonly object[] Phrased =
    [
        Case("go", "push", 0, "read tcp 127.0.0.1:40000->127.0.0.1:5001: read: connection reset by peer", RegistryFailureKind.Unreachable),
        Case("go", "push", 0, "net/http: TLS handshake timeout", RegistryFailureKind.TimedOut),
        Case("go", "pull", 0, """Get "https://r.example/v2/": dial tcp 10.0.0.1:443: i/o timeout""", RegistryFailureKind.TimedOut),
        Case("go", "pull", 0, """Get "https://r.example/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)""", RegistryFailureKind.TimedOut),
        Case("go", "push", 0, """Get "https://r.example/v2/": EOF""", RegistryFailureKind.Unreachable),
        Case("go", "push", 0, "unexpected EOF", RegistryFailureKind.Unreachable),
        Case("go", "push", 0, "write tcp 127.0.0.1:1->127.0.0.1:2: write: broken pipe", RegistryFailureKind.Unreachable),
        Case("go", "pull", 0, """Get "https://r.example/v2/": dial tcp 10.0.0.1:443: connect: network is unreachable""", RegistryFailureKind.Unreachable),
        Case("go", "pull", 0, """Get "https://r.example/v2/": http: server gave HTTP response to HTTPS client""", RegistryFailureKind.Untrusted),
        Case("go", "pull", 0, """Get "https://r.example/v2/": x509: certificate signed by unknown authority""", RegistryFailureKind.Untrusted),
        Case("go", "push", 0, "error parsing HTTP 502 response body: Bad Gateway", RegistryFailureKind.ServerError),
        Case("hub", "push", 0, "denied: requested access to the resource is denied", RegistryFailureKind.Denied),
        Case("hub", "pull", 500, "pull access denied for team/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", RegistryFailureKind.Denied),
        Case("gcr", "pull", 500, "unauthorized: You don't have the needed permissions to perform this operation", RegistryFailureKind.Unauthorized),
        Case("ours", "push", 0, "The push failed: registry 127.0.0.1:5001 is unreachable (timed out)", RegistryFailureKind.TimedOut),
        Case("ours", "pull", 0, "The pull of x failed: registry r.example is unreachable (host not found)", RegistryFailureKind.HostNotFound),
        Case("ours", "pull", 0, "The pull of x failed: it does not exist (not found)", RegistryFailureKind.NotFound),
        Case("ours", "push", 0, "blob upload invalid", RegistryFailureKind.Other),
    ];

    // Hosts, ports, repositories and tags that hold the words a substring match used to take for a refused login.
    private static readonly object[] Misleading =
    [
        Case("d20", "push", 0, """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d20", "push", 0, """Get "http://127.0.0.1:40100/v2/": dial tcp 127.0.0.1:40100: connect: connection refused""", RegistryFailureKind.Unreachable),
        Case("d20", "pull", 500, """Get "https://denied.example:5000/v2/": dial tcp: lookup denied.example on 10.255.255.53:53: no such host""", RegistryFailureKind.HostNotFound),
        Case("d20", "pull", 500, """Get "https://unauthorized.example/v2/": dial tcp: lookup unauthorized.example on 10.255.255.53:53: no such host""", RegistryFailureKind.HostNotFound),
        Case("d20", "pull", 404, "manifest for 127.0.0.1:4010/denied:401 not found: manifest unknown: manifest unknown", RegistryFailureKind.NotFound),
        Case("d20", "check", 404, "manifest unknown: manifest unknown", RegistryFailureKind.NotFound),
        Case("d26c", "pull", 404, """failed to resolve reference "127.0.0.1:4010/unauthorized/app:denied": 127.0.0.1:4010/unauthorized/app:denied: not found""", RegistryFailureKind.NotFound),
        Case("d26c", "push", 0, "unexpected status from HEAD request to http://127.0.0.1:40100/v2/denied/blobs/sha256:abc: 503 Service Unavailable", RegistryFailureKind.ServerError),
    ];

    [TestCaseSource(nameof(Captured))]
    [TestCaseSource(nameof(Phrased))]
    [TestCaseSource(nameof(Misleading))]
    public void A_registry_failure_is_classified_by_what_it_is_and_retried_only_when_that_can_help(
        string engine, string call, int status, string message, string kind)
    {
        var expected = Enum.Parse<RegistryFailureKind>(kind);
        var failure = RegistryErrors.Read(message, status == 0 ? null : (HttpStatusCode)status);
        var transient = expected is RegistryFailureKind.Unreachable or RegistryFailureKind.TimedOut or RegistryFailureKind.RateLimited or RegistryFailureKind.ServerError
            or RegistryFailureKind.ManifestLayersPending;

        Assert.Multiple(() =>
        {
            Assert.That(failure.Kind, Is.EqualTo(expected), $"{engine} {call}: {message}");
            Assert.That(TransientFaults.IsTransient(failure.Kind), Is.EqualTo(transient));
            if (status is 0 or 500)
                Assert.That(TransientFaults.IsTransient(message), Is.EqualTo(transient), "the message alone reads the same");
        });
    }

    [Test]
    public void A_dead_registry_on_a_port_holding_401_is_unreachable_and_retried_not_a_login_problem()
    {
        var exception = RegistryErrors.Classify(
            "127.0.0.1:34015", "push of 127.0.0.1:34015/app:main", """Get "http://127.0.0.1:34015/v2/": dial tcp 127.0.0.1:34015: connect: connection refused""");

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.Not.InstanceOf<RegistryAuthenticationException>());
            Assert.That(exception.Message, Does.Contain("registry 127.0.0.1:34015 is unreachable (connection refused)").And.Not.Contain("docker login"));
            Assert.That(TransientFaults.IsTransient(exception), Is.True);
        });
    }

    [Test]
    public void A_host_named_denied_that_does_not_resolve_is_host_not_found_and_not_retried()
    {
        var exception = RegistryErrors.Classify(
            "denied-registry.invalid:5000",
            "pull of denied-registry.invalid:5000/app:main",
            """Get "https://denied-registry.invalid:5000/v2/": dial tcp: lookup denied-registry.invalid on 10.255.255.53:53: no such host""");

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.Not.InstanceOf<RegistryAuthenticationException>());
            Assert.That(exception.Message, Does.Contain("is unreachable (host not found)").And.Not.Contain("docker login"));
            Assert.That(TransientFaults.IsTransient(exception), Is.False);
        });
    }

    [TestCase("unauthorized: authentication required", 401, "refused the push", "docker-username/docker-password")]
    [TestCase("no basic auth credentials", 0, "refused the push", "docker login 127.0.0.1:5000")]
    [TestCase("denied", 0, "denied the push", "may do this there")]
    public void A_refused_or_denied_login_is_an_authentication_failure_that_says_what_to_check(string message, int status, string said, string advice)
    {
        var exception = RegistryErrors.Classify("127.0.0.1:5000", "push", message, status: status == 0 ? null : (HttpStatusCode)status);

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.InstanceOf<RegistryAuthenticationException>());
            Assert.That(exception.Message, Does.Contain($"The registry 127.0.0.1:5000 {said}: {message}").And.Contain(advice));
            Assert.That(TransientFaults.IsTransient(exception), Is.False);
        });
    }

    [Test]
    public void A_rate_limit_and_a_5xx_are_retried_and_named()
    {
        var limited = RegistryErrors.Classify("r", "pull of r/app:main", "toomanyrequests: You have reached your pull rate limit.");
        var unavailable = RegistryErrors.Classify("r", "pull of r/app:main", "received unexpected HTTP status: 503 Service Unavailable");

        Assert.Multiple(() =>
        {
            Assert.That(limited.Message, Does.Contain("is limiting requests"));
            Assert.That(unavailable.Message, Does.Contain("it answered 503 Service Unavailable"));
            Assert.That(TransientFaults.IsTransient(limited) && TransientFaults.IsTransient(unavailable), Is.True);
        });
    }

    private static object[] Case(string engine, string call, int status, string message, RegistryFailureKind kind) =>
        [engine, call, status, message, kind.ToString()];
}
