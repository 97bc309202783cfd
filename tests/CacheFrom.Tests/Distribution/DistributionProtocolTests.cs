using System.Net;
using System.Text;
using CacheFrom.Distribution;
using CacheFrom.Resilience;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Distribution;

/// <summary>The protocol details the client reads: challenges, links, error bodies, endpoints. No registry needed.</summary>
public sealed class DistributionProtocolTests
{
    [Test]
    public void A_bearer_challenge_gives_realm_service_and_scope_with_quoted_commas_kept()
    {
        var parameters = AuthChallenge.ParseParameters(
            "realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:team/app:pull,push\",error=insufficient_scope");

        Assert.Multiple(() =>
        {
            Assert.That(parameters["realm"], Is.EqualTo("https://auth.example.com/token"));
            Assert.That(parameters["service"], Is.EqualTo("registry.example.com"));
            Assert.That(parameters["scope"], Is.EqualTo("repository:team/app:pull,push"));
            Assert.That(parameters["error"], Is.EqualTo("insufficient_scope"));
        });
    }

    [Test]
    public void Escaped_quotes_and_spaces_in_a_challenge_are_read_as_written()
    {
        var parameters = AuthChallenge.ParseParameters("realm = \"say \\\"hi\\\"\" , service=plain");

        Assert.Multiple(() =>
        {
            Assert.That(parameters["realm"], Is.EqualTo("say \"hi\""));
            Assert.That(parameters["service"], Is.EqualTo("plain"));
        });
    }

    [TestCase("repository:app:pull", null, "repository:app:pull")]
    [TestCase("repository:app:pull,push", "repository:app:push,pull", "repository:app:pull,push")]
    [TestCase("repository:app:pull,push", "repository:app:pull", "repository:app:pull,push")]
    [TestCase("repository:app:pull", "repository:app:delete repository:base:pull", "repository:app:pull,delete repository:base:pull")]
    public void A_challenges_scopes_join_the_requests_one_entry_per_resource(string scope, string? challenge, string expected)
    {
        Assert.That(string.Join(' ', RegistryAuthenticator.MergeScopes(scope, challenge)), Is.EqualTo(expected));
    }

    [TestCase("</v2/app/tags/list?n=2&last=b>; rel=\"next\"", "/v2/app/tags/list?n=2&last=b")]
    [TestCase("<https://r.example.com/v2/app/tags/list?last=b>; rel=\"prev\", <https://r.example.com/v2/app/tags/list?last=d>; rel=\"next\"", "https://r.example.com/v2/app/tags/list?last=d")]
    [TestCase("</v2/app/tags/list?last=b>; rel=prev", null)]
    public void The_next_link_is_found_among_the_links(string header, string? next)
    {
        Assert.That(LinkHeader.Next([header]), Is.EqualTo(next));
    }

    [Test]
    public void The_error_body_gives_codes_and_messages_and_anything_else_gives_none()
    {
        var body = RegistryErrorBody.Parse("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\",\"detail\":{\"x\":1}}]}"u8);

        Assert.Multiple(() =>
        {
            Assert.That(body.Code, Is.EqualTo(RegistryErrorCode.Denied));
            Assert.That(body.Describe(), Is.EqualTo("DENIED: requested access to the resource is denied"));
            Assert.That(RegistryErrorBody.Parse("<html>502 Bad Gateway</html>"u8).Errors, Is.Empty);
            Assert.That(RegistryErrorBody.Parse(""u8).Errors, Is.Empty);
        });
    }

    [TestCase("127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [TestCase("127.1.2.3", "http://127.1.2.3/")]
    [TestCase("localhost:5000", "http://localhost:5000/")]
    [TestCase("[::1]:5000", "http://[::1]:5000/")]
    [TestCase("registry.example.com", "https://registry.example.com/")]
    [TestCase("10.0.0.5:5000", "https://10.0.0.5:5000/")]
    [TestCase("docker.io", "https://registry-1.docker.io/")]
    public void Loopback_registries_are_plain_http_and_every_other_is_https(string registry, string expected)
    {
        Assert.That(RegistryEndpoint.BaseUri(registry).ToString(), Is.EqualTo(expected));
    }

    [TestCase("busybox", "docker.io", "library/busybox")]
    [TestCase("docker.io/team/app", "docker.io", "team/app")]
    [TestCase("127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app")]
    public void Docker_hub_names_get_their_implicit_registry_and_library(string name, string registry, string path)
    {
        var repository = RegistryRepository.Parse(name);

        Assert.That((repository.Registry, repository.Path), Is.EqualTo((registry, path)));
    }

    [Test]
    public void A_token_answer_without_expires_in_lives_the_specs_default_60_seconds()
    {
        var now = DateTimeOffset.UnixEpoch;
        var token = BearerToken.Parse("{\"access_token\":\"abc\"}"u8, now);

        Assert.Multiple(() =>
        {
            Assert.That(token.Value, Is.EqualTo("abc"));
            Assert.That(token.ExpiresAt, Is.EqualTo(now.AddSeconds(60)));
            Assert.That(token.ToString(), Does.Not.Contain("abc"));
            Assert.That(() => BearerToken.Parse("{\"expires_in\":60}"u8, now), Throws.InstanceOf<InvalidDataException>());
        });
    }

    /// <summary>
    /// distribution 2.8 ignores <c>n</c> and never paginates, so a loopback server speaking only the
    /// tag-list protocol stands in for a registry that does (Docker Hub, GHCR, distribution 3).
    /// </summary>
    [Test]
    public async Task A_paginated_tag_list_is_followed_through_its_link_headers()
    {
        var port = RegistryServer.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var pages = new Dictionary<string, (string Body, string? Next)>
        {
            [""] = ("{\"name\":\"team/app\",\"tags\":[\"a\",\"b\"]}", "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\""),
            ["b"] = ("{\"name\":\"team/app\",\"tags\":[\"c\",\"d\"]}", $"<http://127.0.0.1:{port}/v2/team/app/tags/list?n=2&last=d>; rel=\"next\""),
            ["d"] = ("{\"name\":\"team/app\",\"tags\":[\"e\"]}", null),
        };
        var served = Task.Run(async () =>
        {
            for (var i = 0; i < pages.Count; i++)
            {
                var context = await listener.GetContextAsync();
                var (body, next) = pages[context.Request.QueryString["last"] ?? ""];
                if (next is not null)
                    context.Response.AddHeader("Link", next);
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        using var client = new RegistryClient(new RetryOptions { MaxRetryAttempts = 0 }, TimeProvider.System, new TestLogger().Logger);

        var tags = await client.Tags.ListAsync(RegistryRepository.Parse($"127.0.0.1:{port}/team/app"), null);
        await served;

        Assert.That(tags, Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
    }
}
