using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CacheFrom.Configuration;
using Serilog;

namespace CacheFrom.Distribution;

/// <summary>
/// Answers registry challenges (docker's token auth spec): Basic with the engine's credentials;
/// Bearer with a token from the challenge's realm — a GET with Basic credentials (or none, for
/// anonymous pulls), or an OAuth2 POST with <c>grant_type=refresh_token</c> when the credentials
/// are an identity token. A registry's challenge is remembered, so later requests authenticate
/// up front; tokens are cached per scope for the client's lifetime (one run) until they expire.
/// Tokens and passwords never reach a log or a message.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, TimeProvider time, ILogger logger)
{
    /// <summary>Names this client to token servers (the spec's <c>client_id</c>, for their audit logs).</summary>
    public const string ClientId = "cachefrom";

    private const int MaxTokenResponseBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BearerToken> _tokens = new(StringComparer.Ordinal);

    /// <summary>The identity (refresh) token in <paramref name="credentials"/>, or null for a user name and password.</summary>
    public static string? IdentityToken(RegistryCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return credentials.IdentityToken;
    }

    /// <summary>The Authorization for <paramref name="request"/> from the registry's earlier challenge; null when it has asked for none yet.</summary>
    public async Task<AuthenticationHeaderValue?> AuthorizeAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _challenges.TryGetValue(request.Registry, out var challenge)
            ? await AnswerAsync(request, challenge, extraScope: null, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// The registry answered 401 with <paramref name="challenge"/>: remember it, forget the token
    /// it refused, and answer it afresh. Throws <see cref="RegistryAuthenticationException"/> when it cannot be answered.
    /// </summary>
    public async Task<AuthenticationHeaderValue> ChallengedAsync(RegistryRequest request, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(challenge);
        _challenges[request.Registry] = challenge;
        if (challenge.IsBearer)
            _tokens.TryRemove(TokenKey(request, challenge), out _);
        return await AnswerAsync(request, challenge, challenge.Scope, cancellationToken).ConfigureAwait(false)
            ?? throw RegistryFailures.CannotAnswer(request, challenge);
    }

    private async Task<AuthenticationHeaderValue?> AnswerAsync(RegistryRequest request, AuthChallenge challenge, string? extraScope, CancellationToken cancellationToken)
    {
        if (challenge.IsBasic)
            return request.Credentials is { } credentials && IdentityToken(credentials) is null ? Basic(credentials) : null;
        if (!challenge.IsBearer || challenge.Realm is null)
            return null;

        var key = TokenKey(request, challenge);
        if (_tokens.TryGetValue(key, out var cached) && cached.IsValidAt(time.GetUtcNow()))
            return new AuthenticationHeaderValue("Bearer", cached.Value);

        // Two requests that miss at once both ask the token server; the later answer is kept. Cheaper than sharing
        // one request whose caller may cancel it.
        var token = await FetchTokenAsync(request, challenge, extraScope, cancellationToken).ConfigureAwait(false);
        _tokens[key] = token;
        return new AuthenticationHeaderValue("Bearer", token.Value);
    }

    private async Task<BearerToken> FetchTokenAsync(RegistryRequest request, AuthChallenge challenge, string? extraScope, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || realm.Scheme is not ("https" or "http"))
            throw RegistryFailures.Invalid(request, $"its token realm '{challenge.Realm}' is not an HTTP(S) URL", transient: false);
        if (realm.Scheme == "http" && request.Credentials is not null && !RegistryEndpoint.IsLoopback(realm.Authority))
            throw RegistryFailures.Invalid(request, $"its token server {realm.Host} speaks plain HTTP; credentials are sent to it only over HTTPS", transient: false);

        var scopes = MergeScopes(request.Scope, extraScope);

        using var message = TokenRequest(request, challenge, realm, scopes);
        var started = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw RegistryFailures.Unreachable(request, $"its token server {realm.Host}", exception);
        }

        using (response)
        {
            var body = await RegistryTransport.ReadBoundedAsync(request, response, MaxTokenResponseBytes, heartbeat: null, cancellationToken).ConfigureAwait(false);
            logger.Debug("Token server {Realm} answered {Status} for {Scopes} in {Milliseconds:0} ms",
                realm.GetLeftPart(UriPartial.Path), (int)response.StatusCode, string.Join(' ', scopes), time.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK)
                throw RegistryFailures.TokenRefused(request, realm, response.StatusCode, RegistryErrorBody.Parse(body));
            try
            {
                return BearerToken.Parse(body, time.GetUtcNow());
            }
            catch (InvalidDataException exception)
            {
                throw RegistryFailures.BadToken(request, realm, exception.Message, exception);
            }
        }
    }

    private static HttpRequestMessage TokenRequest(RegistryRequest request, AuthChallenge challenge, Uri realm, List<string> scopes)
    {
        var credentials = request.Credentials;
        if (credentials is not null && IdentityToken(credentials) is { } identityToken)
        {
            // OAuth2 (docker's oauth.md): one scope parameter holding the space-separated list.
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", identityToken),
                new("client_id", ClientId),
                new("scope", string.Join(' ', scopes)),
            };
            if (challenge.Service is { } formService)
                form.Add(new("service", formService));
            return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }

        var query = new StringBuilder(realm.Query.TrimStart('?'));
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        if (challenge.Service is { } service)
            Add("service", service);
        foreach (var scope in scopes)
            Add("scope", scope);
        Add("client_id", ClientId);
        if (credentials is not null)
            Add("account", credentials.Username);
        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        var message = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credentials is not null)
            message.Headers.Authorization = Basic(credentials);
        return message;
    }

    /// <summary>
    /// This request's scope plus the challenge's (space-separated), one entry per resource with the
    /// actions united: distribution names them in no fixed order (<c>push,pull</c> or <c>pull,push</c>).
    /// </summary>
    internal static List<string> MergeScopes(string scope, string? extra)
    {
        var resources = new List<(string Resource, List<string> Actions)>();
        foreach (var entry in (IEnumerable<string>)[scope, .. (extra ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)])
        {
            // type:name:actions; a name may hold ':' only in exotic forms, so the actions are after the last one.
            var colon = entry.LastIndexOf(':');
            var (resource, actions) = colon > 0 ? (entry[..colon], entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries)) : (entry, []);
            var index = resources.FindIndex(r => r.Resource == resource);
            if (index < 0)
                resources.Add((resource, [.. actions]));
            else
                resources[index].Actions.AddRange(actions.Where(a => !resources[index].Actions.Contains(a)));
        }

        return resources.Select(r => r.Actions.Count == 0 ? r.Resource : $"{r.Resource}:{string.Join(',', r.Actions)}").ToList();
    }

    // Per registry, realm, service, scope and account: another account in the same run never reuses a token.
    private static string TokenKey(RegistryRequest request, AuthChallenge challenge) =>
        string.Join('\n', request.Registry, challenge.Realm, challenge.Service, request.Scope, request.Credentials?.Username ?? "");

    private static AuthenticationHeaderValue Basic(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
}
