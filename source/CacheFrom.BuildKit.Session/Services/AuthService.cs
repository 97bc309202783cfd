using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Protocol.Auth;
using CacheFrom.Configuration;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>
/// Registry credentials for BuildKit: the session's explicit credentials for the host, else the
/// Docker config file's, else none (anonymous). Token authority is not offered: BuildKit then
/// fetches Bearer tokens itself with the Credentials answer, as with the docker CLI's
/// <c>BUILDKIT_NO_CLIENT_TOKEN=1</c>.
/// </summary>
internal sealed class AuthService(SessionRegistry registry) : Auth.AuthBase
{
    private static readonly string[] DockerHubAliases = ["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"];

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
        var names = IsDockerHub(host) ? DockerHubAliases : [host];
        foreach (var name in names)
        {
            foreach (var (key, value) in session.Credentials)
            {
                if (string.Equals(Normalize(key), Normalize(name), StringComparison.OrdinalIgnoreCase))
                    return value;
            }
        }

        foreach (var name in names)
        {
            if (DockerConfigCredentials.Find(name, session.Environment) is { } fromConfig)
                return fromConfig;
        }

        return null;
    }

    private static bool IsDockerHub(string host) =>
        DockerHubAliases.Any(alias => string.Equals(alias, host, StringComparison.OrdinalIgnoreCase));

    private static string Normalize(string key)
    {
        foreach (var scheme in new[] { "https://", "http://" })
        {
            if (key.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                key = key[scheme.Length..];
        }

        return key.TrimEnd('/');
    }
}
