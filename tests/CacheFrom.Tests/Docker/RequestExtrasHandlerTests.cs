using CacheFrom.Docker.Connection;

namespace CacheFrom.Tests.Docker;

/// <summary>The hook that adds <c>session=</c> and registry headers Docker.DotNet's typed calls cannot send.</summary>
public class RequestExtrasHandlerTests
{
    [Test]
    public async Task Extras_reach_only_the_requests_sent_inside_their_scope()
    {
        var extras = new RequestExtrasHandler();
        var seen = new List<HttpRequestMessage>();
        using var client = new HttpClient(extras.ConfigureHandler(new Recording(seen)));
        var scoped = new RequestExtras(
            new Dictionary<string, string> { ["X-Registry-Config"] = "e30=" },
            new Dictionary<string, string> { ["session"] = "abc 123" });

        await extras.Apply(scoped, () => client.GetAsync(new Uri("http://docker.sock/v1.41/build?version=2&t=a")));
        await client.GetAsync(new Uri("http://docker.sock/v1.41/build?version=1"));

        Assert.That(seen[0].RequestUri!.Query, Is.EqualTo("?version=2&t=a&session=abc%20123"));
        Assert.That(seen[0].Headers.GetValues("X-Registry-Config"), Is.EqualTo(new[] { "e30=" }));
        Assert.That(seen[1].RequestUri!.Query, Is.EqualTo("?version=1"));
        Assert.That(seen[1].Headers.Contains("X-Registry-Config"), Is.False);
    }

    private sealed class Recording(List<HttpRequestMessage> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
