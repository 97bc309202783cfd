using System.Collections.Concurrent;

namespace CacheFrom.Tests.Support;

/// <summary>Counts what a client sends (method and path), passing every request on to a real handler.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<string> _requests = new();

    /// <summary><c>GET /v2/app/manifests/main</c>, in the order sent (query strings left off).</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public int Count(string method, string pathPart) =>
        Requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue($"{request.Method.Method} {request.RequestUri!.AbsolutePath}");
        return base.SendAsync(request, cancellationToken);
    }
}
