using Docker.DotNet.Handler.Abstractions;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// Wraps Docker.DotNet's transport (as its <see cref="IAuthProvider"/> hook) and adds the
/// <see cref="RequestExtras"/> of the current async flow. The flow-local slot belongs to this
/// instance (one per client), so nothing is shared between clients.
/// </summary>
internal sealed class RequestExtrasHandler : IAuthProvider
{
    private readonly AsyncLocal<RequestExtras?> _current = new();

    public bool TlsEnabled => false;

    public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler) => new Amending(handler, this);

    /// <summary>Requests sent by <paramref name="call"/> (and only those) carry <paramref name="extras"/>.</summary>
    public async Task<T> Apply<T>(RequestExtras extras, Func<Task<T>> call)
    {
        // An async method restores the caller's slot on return: the extras cannot leak to other calls.
        _current.Value = extras;
        return await call().ConfigureAwait(false);
    }

    private sealed class Amending(HttpMessageHandler inner, RequestExtrasHandler owner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (owner._current.Value is { IsEmpty: false } extras)
            {
                foreach (var (name, value) in extras.Headers)
                {
                    request.Headers.Remove(name);
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                if (extras.Query.Count > 0 && request.RequestUri is { } uri)
                {
                    var added = string.Join('&', extras.Query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
                    var builder = new UriBuilder(uri);
                    builder.Query = string.IsNullOrEmpty(builder.Query) ? added : builder.Query.TrimStart('?') + "&" + added;
                    request.RequestUri = builder.Uri;
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
