using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Resilience;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Distribution;

/// <summary>
/// The client's authentication against real registries: htpasswd (Basic) and token auth (Bearer
/// challenge, a token server issuing signed JWTs with access claims, as Docker Hub and most
/// hosted registries do).
/// </summary>
[Category("Docker")]
public sealed class RegistryClientAuthTests
{
    private const string User = "cachefrom";
    private const string Reader = "reader";

    private static readonly RetryOptions NoRetries = new() { MaxRetryAttempts = 0 };

    [Test]
    public async Task Basic_credentials_push_and_pull_an_artifact_on_an_htpasswd_registry()
    {
        await using var registry = await AuthRegistry.StartAsync();
        using var client = new RegistryClient(NoRetries, TimeProvider.System, new TestLogger().Logger);
        var repository = RegistryRepository.Parse(registry.UniqueRepository("basic"));

        var pushed = await RegistryClientTests.PushArtifactAsync(client, repository, "v1", "basic"u8.ToArray(), registry.Credentials);
        var read = await client.Manifests.GetAsync(repository, "v1", registry.Credentials);

        Assert.That(read!.Content, Is.EqualTo(pushed.Content));
    }

    [Test]
    public async Task A_wrong_password_on_an_htpasswd_registry_is_one_authentication_error_naming_the_registry()
    {
        await using var registry = await AuthRegistry.StartAsync();
        using var client = new RegistryClient(new RetryOptions(), new InstantTimeProvider(), new TestLogger().Logger);
        var repository = RegistryRepository.Parse(registry.UniqueRepository("basic-wrong"));
        var wrong = new RegistryCredentials(registry.User, "not-" + registry.Password);

        var refused = Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.Manifests.GetAsync(repository, "v1", wrong));
        var anonymous = Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.Manifests.GetAsync(repository, "v1", null));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.StartWith($"The registry {registry.Address} refused the credentials of user {registry.User}").And.Contain("docker login"));
            Assert.That(refused.Message, Does.Not.Contain(wrong.Password));
            Assert.That(refused.Message, Does.Not.Contain("gave up"), "an authentication error is not retried");
            Assert.That(anonymous!.Message, Does.StartWith($"The registry {registry.Address} needs credentials"));
        });
    }

    [Test]
    public async Task A_token_registry_issues_one_token_per_scope_and_the_client_reuses_it()
    {
        await using var auth = await TokenRegistry.StartAsync();
        using var client = new RegistryClient(NoRetries, TimeProvider.System, new TestLogger().Logger);
        var name = auth.Registry.UniqueRepository("token");
        var repository = RegistryRepository.Parse(name);
        var credentials = new RegistryCredentials(User, auth.Password);

        var pushed = await RegistryClientTests.PushArtifactAsync(client, repository, "v1", "token"u8.ToArray(), credentials);
        var afterPush = auth.Tokens.Requests.Count;
        var first = await client.Manifests.GetAsync(repository, "v1", credentials);
        var second = await client.Manifests.HeadAsync(repository, "v1", credentials);
        var requests = auth.Tokens.Requests;
        var path = name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];

        Assert.Multiple(() =>
        {
            Assert.That(first!.Content, Is.EqualTo(pushed.Content));
            Assert.That(second!.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(afterPush, Is.EqualTo(1), "the whole push (blob checks, uploads, manifest) rode on one pull,push token");
            Assert.That(requests, Has.Count.EqualTo(2), "one more token, for pull, shared by the GET and the HEAD");
            Assert.That(requests.Select(r => (r.Method, r.Grant, r.Account)), Has.All.EqualTo(("GET", "basic", User)));
            Assert.That(requests[0].Scopes, Does.Contain($"repository:{path}:pull,push"));
            Assert.That(requests[1].Scopes, Is.EqualTo(new[] { $"repository:{path}:pull" }));
        });
    }

    [Test]
    public async Task A_scope_the_token_server_refuses_is_one_authentication_error_after_one_token_refresh()
    {
        await using var auth = await TokenRegistry.StartAsync();
        auth.Tokens.Refuse = (account, _, action) => account == Reader && action == "push";
        using var client = new RegistryClient(new RetryOptions(), new InstantTimeProvider(), new TestLogger().Logger);
        var name = auth.Registry.UniqueRepository("token-refused");
        var repository = RegistryRepository.Parse(name);
        await RegistryClientTests.PushArtifactAsync(client, repository, "v1", "seed"u8.ToArray(), new RegistryCredentials(User, auth.Password));
        var before = auth.Tokens.Requests.Count;
        var reader = new RegistryCredentials(Reader, auth.ReaderPassword);

        var read = await client.Manifests.GetAsync(repository, "v1", reader);
        var exception = Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.Blobs.UploadAsync(repository, "more"u8.ToArray(), "application/octet-stream", reader));
        var readerTokens = auth.Tokens.Requests.Skip(before).ToList();
        var path = name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.Not.Null, "pull is granted");
            Assert.That(exception!.Message, Does.StartWith($"The registry {auth.Registry.Address} refused pull,push access to {path} for user {Reader}: a fresh token did not grant it"));
            Assert.That(exception.Message, Does.Not.Contain(auth.ReaderPassword));
            Assert.That(readerTokens.Select(r => string.Join(' ', r.Scopes)), Is.EqualTo(new[]
            {
                $"repository:{path}:pull",
                $"repository:{path}:pull,push",
                $"repository:{path}:pull,push",
            }), "pull; then push, refreshed once after the registry refused it");
        });
    }

    [Test]
    public async Task A_wrong_password_at_the_token_server_names_the_registry_and_its_token_server()
    {
        await using var auth = await TokenRegistry.StartAsync();
        using var client = new RegistryClient(new RetryOptions(), new InstantTimeProvider(), new TestLogger().Logger);
        var repository = RegistryRepository.Parse(auth.Registry.UniqueRepository("token-wrong"));

        var exception = Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.Manifests.HeadAsync(repository, "v1", new RegistryCredentials(User, "wrong")));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.StartWith($"The token server of registry {auth.Registry.Address} (127.0.0.1) refused user {User}"));
            Assert.That(auth.Tokens.Requests, Has.Count.EqualTo(1), "not retried");
        });
    }

    [Test]
    public async Task Anonymous_access_the_token_server_grants_nothing_asks_for_credentials()
    {
        await using var auth = await TokenRegistry.StartAsync();
        auth.Tokens.Refuse = (account, _, _) => account is null;
        using var client = new RegistryClient(NoRetries, TimeProvider.System, new TestLogger().Logger);
        var repository = RegistryRepository.Parse(auth.Registry.UniqueRepository("token-anonymous"));

        var exception = Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.Manifests.GetAsync(repository, "v1", null));

        Assert.That(exception!.Message, Does.StartWith($"The registry {auth.Registry.Address} needs credentials for the manifest read of"));
    }

    [Test]
    public async Task An_identity_token_is_exchanged_with_the_oauth2_refresh_token_grant()
    {
        var identityToken = "idt-" + Guid.NewGuid().ToString("N");
        await using var auth = await TokenRegistry.StartAsync(identityToken);
        using var client = new RegistryClient(NoRetries, TimeProvider.System, new TestLogger().Logger);
        var repository = RegistryRepository.Parse(auth.Registry.UniqueRepository("token-identity"));
        var credentials = RegistryCredentials.FromIdentityToken(identityToken);

        var pushed = await RegistryClientTests.PushArtifactAsync(client, repository, "v1", "identity"u8.ToArray(), credentials);
        var read = await client.Manifests.GetAsync(repository, "v1", credentials);

        Assert.Multiple(() =>
        {
            Assert.That(read!.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(auth.Tokens.Requests, Has.Count.EqualTo(2));
            Assert.That(auth.Tokens.Requests.Select(r => (r.Method, r.Grant, r.Account)), Has.All.EqualTo(("POST", "refresh_token", User)));
        });
    }

    [Test]
    public async Task A_cached_token_past_its_lifetime_is_renewed_before_it_is_sent()
    {
        await using var auth = await TokenRegistry.StartAsync();
        var time = new ShiftedTimeProvider();
        using var client = new RegistryClient(NoRetries, time, new TestLogger().Logger);
        var repository = RegistryRepository.Parse(auth.Registry.UniqueRepository("token-expiry"));
        var credentials = new RegistryCredentials(User, auth.Password);

        await client.Manifests.HeadAsync(repository, "v1", credentials);
        await client.Manifests.HeadAsync(repository, "v1", credentials);
        var whileValid = auth.Tokens.Requests.Count;
        time.Offset = auth.Tokens.Lifetime;
        await client.Manifests.HeadAsync(repository, "v1", credentials);

        Assert.Multiple(() =>
        {
            Assert.That(whileValid, Is.EqualTo(1));
            Assert.That(auth.Tokens.Requests, Has.Count.EqualTo(2));
        });
    }

    /// <summary>A registry with <c>auth: token</c> and its token server, two accounts and an optional identity token.</summary>
    private sealed class TokenRegistry : IAsyncDisposable
    {
        private TokenRegistry(TokenServer tokens, RegistryServer registry, string password, string readerPassword)
        {
            Tokens = tokens;
            Registry = registry;
            Password = password;
            ReaderPassword = readerPassword;
        }

        public TokenServer Tokens { get; }

        public RegistryServer Registry { get; }

        public string Password { get; }

        public string ReaderPassword { get; }

        public static async Task<TokenRegistry> StartAsync(string? identityToken = null)
        {
            var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
            var readerPassword = "pw-" + Guid.NewGuid().ToString("N")[..12];
            var tokens = TokenServer.Start(
                new Dictionary<string, string> { [User] = password, [Reader] = readerPassword },
                identityToken is null ? null : new Dictionary<string, string> { [identityToken] = User });
            var registry = await RegistryServer.StartAsync(auth: tokens.AuthConfig);
            return new TokenRegistry(tokens, registry, password, readerPassword);
        }

        public async ValueTask DisposeAsync()
        {
            await Registry.DisposeAsync();
            await Tokens.DisposeAsync();
        }
    }
}
