using System.Net;
using System.Net.Http.Headers;
using CacheFrom.Resilience;
using Serilog;

namespace CacheFrom.Distribution;

/// <summary>
/// Sends <see cref="RegistryRequest"/>s: authenticated (<see cref="RegistryAuthenticator"/>; one
/// more send after a 401, then an authentication error), failures to connect turned into
/// <see cref="RegistryRequestException"/>s, and whole operations retried through the engine's
/// <see cref="RetryExecutor"/>, each attempt bounded by its <see cref="AttemptLimit"/>.
/// </summary>
internal sealed class RegistryTransport : IDisposable
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _authenticator;
    private readonly RetryExecutor _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RegistryTransport(HttpMessageHandler handler, RetryOptions retry, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        // No client-wide timeout: every attempt has its own bound (AttemptDeadline), restarted by progress for transfers.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("cachefrom/" + (typeof(RegistryTransport).Assembly.GetName().Version?.ToString(3) ?? "0"));
        _authenticator = new RegistryAuthenticator(_http, time, logger);
        _retry = new RetryExecutor(retry, time, logger);
        _time = time;
        _logger = logger;
    }

    public ILogger Logger => _logger;

    /// <summary>Runs <paramref name="call"/> (one or more exchanges) as one retried operation.</summary>
    public Task<T> RunAsync<T>(string description, RegistryRepository repository, AttemptLimit limit,
        Func<Action, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(new RegistryOperation(description, repository.Registry, limit), call, cancellationToken);

    /// <summary>
    /// One exchange. The response is never a 401 (that becomes a <see cref="RegistryAuthenticationException"/>);
    /// the caller disposes it and decides what its status means.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = await _authenticator.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(request, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;

        AuthChallenge? challenge;
        using (response)
        {
            challenge = AuthChallenge.From(response.Headers.WwwAuthenticate);
            await ReadErrorAsync(request, response, cancellationToken).ConfigureAwait(false);
        }

        if (challenge is null)
            throw RegistryFailures.CannotAnswer(request, null);
        authorization = await _authenticator.ChallengedAsync(request, challenge, cancellationToken).ConfigureAwait(false);
        response = await SendOnceAsync(request, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;

        using (response)
        {
            var body = await ReadErrorAsync(request, response, cancellationToken).ConfigureAwait(false);
            throw RegistryFailures.Unauthorized(request, body, challenge.IsBearer);
        }
    }

    /// <summary>The spec's error body of a failed response (empty for a HEAD).</summary>
    public static async Task<RegistryErrorBody> ReadErrorAsync(RegistryRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (request.Method == HttpMethod.Head)
            return RegistryErrorBody.None;
        try
        {
            return RegistryErrorBody.Parse(await ReadBoundedAsync(request, response, MaxErrorBodyBytes, heartbeat: null, cancellationToken, truncate: true).ConfigureAwait(false));
        }
        catch (RegistryRequestException)
        {
            // The status still says what happened; a broken error body adds nothing.
            return RegistryErrorBody.None;
        }
    }

    /// <summary>The response body, at most <paramref name="maxBytes"/>; larger is an error (or, with <paramref name="truncate"/>, cut).</summary>
    public static async Task<byte[]> ReadBoundedAsync(RegistryRequest request, HttpResponseMessage response, long maxBytes, Action? heartbeat,
        CancellationToken cancellationToken, bool truncate = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (!truncate && response.Content.Headers.ContentLength > maxBytes)
            throw RegistryFailures.Invalid(request, $"it is {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} this client reads", transient: false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    heartbeat?.Invoke();
                    var room = maxBytes - buffer.Length;
                    if (read > room)
                    {
                        if (!truncate)
                            throw RegistryFailures.Invalid(request, $"it is more than the {maxBytes} bytes this client reads", transient: false);
                        buffer.Write(chunk, 0, (int)room);
                        break;
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw RegistryFailures.Unreachable(request, $"registry {request.Registry}", exception);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendOnceAsync(RegistryRequest request, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        foreach (var accept in request.Accept)
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        message.Headers.Authorization = authorization;
        message.Content = request.Content?.Invoke();
        var started = _time.GetTimestamp();
        try
        {
            var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            // Path only: an upload's query holds the registry's state token.
            _logger.Debug("Registry {Method} {Url} answered {Status} in {Milliseconds:0} ms",
                request.Method.Method, request.Uri.GetLeftPart(UriPartial.Path), (int)response.StatusCode, _time.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (HttpRequestException exception)
        {
            // A cancelled send may surface as a broken connection; the cause is the cancellation (the retry executor tells whose).
            cancellationToken.ThrowIfCancellationRequested();
            throw RegistryFailures.Unreachable(request, $"registry {request.Registry}", exception);
        }
    }
}
