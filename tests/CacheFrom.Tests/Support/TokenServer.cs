using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A token server for a <see cref="RegistryServer"/> with <c>auth: token:</c> (docker's token auth
/// spec), on a free loopback port: <c>GET /token</c> with Basic credentials (or none) and the
/// OAuth2 <c>POST /token</c> with <c>grant_type=refresh_token</c>. It grants what it is asked,
/// minus <see cref="Refuse"/>, in RS256 JWTs whose <c>x5c</c> names a self-signed certificate the
/// registry trusts (<c>rootcertbundle</c>). It counts what it was asked.
/// </summary>
internal sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "cachefrom-test-registry";
    public const string Issuer = "cachefrom-test-token-server";

    private readonly HttpListener _listener;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly Task _loop;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();
    private readonly Dictionary<string, string> _users;
    private readonly Dictionary<string, string> _identityTokens;

    private TokenServer(int port, Dictionary<string, string> users, Dictionary<string, string> identityTokens)
    {
        _users = users;
        _identityTokens = identityTokens;
        _key = RSA.Create(2048);
        var request = new CertificateRequest("CN=cachefrom test token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Realm = $"http://127.0.0.1:{port}/token";
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Realm { get; }

    /// <summary>Actions never granted, whoever asks: <c>(account or null, repository, action) =&gt; refused</c>.</summary>
    public Func<string?, string, string, bool> Refuse { get; set; } = (_, _, _) => false;

    /// <summary>How long an issued token lives (the registry checks it with a minute's leeway).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    /// <summary>The PEM bundle for the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    public static TokenServer Start(IReadOnlyDictionary<string, string>? users = null, IReadOnlyDictionary<string, string>? identityTokens = null) =>
        new(RegistryServer.FreePort(), new Dictionary<string, string>(users ?? new Dictionary<string, string>()), new Dictionary<string, string>(identityTokens ?? new Dictionary<string, string>()));

    /// <summary>The registry's <c>auth:</c> section; writes the certificate bundle into <paramref name="directory"/>.</summary>
    public string AuthConfig(string directory)
    {
        var bundle = Path.Combine(directory, "token-signer.pem");
        File.WriteAllText(bundle, CertificatePem);
        return $"""
              token:
                realm: {Realm}
                service: {Service}
                issuer: {Issuer}
                rootcertbundle: {bundle}

            """;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            // Stopped.
        }

        _certificate.Dispose();
        _key.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var http = context.Request;
        string? account;
        string[] scopes;
        string grant;
        if (http.HttpMethod == "POST")
        {
            using var reader = new StreamReader(http.InputStream, Encoding.UTF8);
            var form = System.Web.HttpUtility.ParseQueryString(reader.ReadToEnd());
            grant = form["grant_type"] ?? "";
            scopes = (form["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (grant != "refresh_token" || form["refresh_token"] is not { } refresh || !_identityTokens.TryGetValue(refresh, out account) || form["service"] != Service)
            {
                _requests.Enqueue(new TokenRequest("POST", grant, null, scopes, Granted: false));
                context.Response.StatusCode = 401;
                return;
            }
        }
        else
        {
            grant = "basic";
            scopes = http.QueryString.GetValues("scope") ?? [];
            account = null;
            if (http.Headers["Authorization"] is { } authorization)
            {
                var decoded = authorization.StartsWith("Basic ", StringComparison.Ordinal)
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]))
                    : "";
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || !_users.TryGetValue(decoded[..colon], out var password) || password != decoded[(colon + 1)..])
                {
                    _requests.Enqueue(new TokenRequest("GET", grant, null, scopes, Granted: false));
                    context.Response.StatusCode = 401;
                    return;
                }

                account = decoded[..colon];
            }
        }

        _requests.Enqueue(new TokenRequest(http.HttpMethod, grant, account, scopes, Granted: true));
        var token = Sign(account, scopes);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)Lifetime.TotalSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("O"),
        });
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
    }

    private string Sign(string? account, string[] scopes)
    {
        var access = new List<object>();
        foreach (var scope in scopes)
        {
            // repository:NAME:ACTIONS (a name holds no ':' in these tests).
            var parts = scope.Split(':');
            if (parts.Length != 3)
                continue;
            var granted = parts[2].Split(',').Where(a => !Refuse(account, parts[1], a)).ToArray();
            access.Add(new { type = parts[0], name = parts[1], actions = granted });
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { typ = "JWT", alg = "RS256", x5c = new[] { Convert.ToBase64String(_certificate.RawData) } };
        var claims = new
        {
            iss = Issuer,
            sub = account ?? "",
            aud = Service,
            exp = now + (long)Lifetime.TotalSeconds,
            nbf = now - 5,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        };
        var signed = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One request the <see cref="TokenServer"/> answered.</summary>
/// <param name="Grant"><c>basic</c> (GET), or the POST's <c>grant_type</c>.</param>
/// <param name="Account">Who it authenticated; null for anonymous or refused.</param>
internal sealed record TokenRequest(string Method, string Grant, string? Account, IReadOnlyList<string> Scopes, bool Granted);
