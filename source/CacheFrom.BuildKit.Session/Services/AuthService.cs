using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Protocol.Auth;
using CacheFrom.Configuration;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>
/// Registry credentials for BuildKit: the session's explicit credentials for the host, else the
/// Docker config's (credential helper or <c>auths</c>, looked up once per registry and session),
/// else none (anonymous). An identity token is answered as docker's own auth provider answers
/// it: no user name, the token as the secret. Token authority is not offered: BuildKit then
/// fetches Bearer tokens itself with the Credentials answer, as with the docker CLI's
/// <c>BUILDKIT_NO_CLIENT_TOKEN=1</c>.
/// </summary>
internal sealed class AuthService(SessionRegistry registry) : Auth.AuthBase
{
    public override Task<CredentialsResponse> Credentials(CredentialsRequest request, ServerCallContext context)
    {
        var session = registry.Session(context);
        var credentials = Find(session, request.Host);
        session.CredentialRequests[request.Host] = credentials is not null;
        if (credentials is null)
        {
            session.Logger.Debug("BuildKit asked for credentials for {Registry}: none known, anonymous access", request.Host);
            return Task.FromResult(new CredentialsResponse());
        }

        if (credentials.IsIdentityToken)
        {
            session.Logger.Debug("BuildKit asked for credentials for {Registry}: answered with an identity token", request.Host);
            return Task.FromResult(new CredentialsResponse { Secret = credentials.IdentityToken });
        }

        session.Logger.Debug("BuildKit asked for credentials for {Registry}: answered as {Username}", request.Host, credentials.Username);
        return Task.FromResult(new CredentialsResponse { Username = credentials.Username, Secret = credentials.Password });
    }

    public override Task<GetTokenAuthorityResponse> GetTokenAuthority(GetTokenAuthorityRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "no token authority: use Credentials"));

    public override Task<FetchTokenResponse> FetchToken(FetchTokenRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "no token authority: use Credentials"));

    public override Task<VerifyTokenAuthorityResponse> VerifyTokenAuthority(VerifyTokenAuthorityRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "no token authority: use Credentials"));

    internal static RegistryCredentials? Find(SessionState session, string host)
    {
        var key = DockerConfigCredentials.Key(host);
        foreach (var (name, credentials) in session.Credentials)
        {
            if (string.Equals(DockerConfigCredentials.Key(name), key, StringComparison.OrdinalIgnoreCase))
                return credentials;
        }

        return session.ConfigCredentials.GetOrAdd(key, k => new Lazy<RegistryCredentials?>(() => FromConfig(session, k))).Value;
    }

    private static RegistryCredentials? FromConfig(SessionState session, string key)
    {
        try
        {
            return DockerConfigCredentials.Find(key, session.Environment).Credentials;
        }
        catch (CacheFromException exception)
        {
            // The message names the helper and the registry, never what the helper printed.
            session.Logger.Warning("BuildKit asked for credentials for {Registry}, answered anonymously: {Problem}", key, exception.Message);
            return null;
        }
    }
}
