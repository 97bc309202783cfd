using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Protocol.Secrets;
using CacheFrom.Configuration;
using Google.Protobuf;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>
/// <c>RUN --mount=type=secret,id=…</c>: reads the secret's environment variable or file when
/// BuildKit asks, never earlier, and never logs its value. An unknown id answers NOT_FOUND,
/// which BuildKit reports as a missing secret (or skips for <c>required=false</c>).
/// </summary>
internal sealed class SecretsService(SessionRegistry registry) : Secrets.SecretsBase
{
    public override async Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        var session = registry.Session(context);
        var secret = session.Secrets.FirstOrDefault(s => string.Equals(s.Id, request.ID, StringComparison.Ordinal));
        session.SecretRequests[request.ID] = secret is not null;
        if (secret is null)
        {
            session.Logger.Warning(
                "The build asked for secret {SecretId}, which was not given: pass it with docker-secrets {SecretId}=ENV_VAR or {SecretId}=path/to/file",
                request.ID, request.ID, request.ID);
            throw new RpcException(new Status(StatusCode.NotFound, $"secret {request.ID} not found: pass it with docker-secrets {request.ID}=ENV_VAR or {request.ID}=path/to/file"));
        }

        byte[] data;
        if (secret.Source == BuildSecretSource.EnvironmentVariable)
        {
            var value = session.Environment.GetValueOrDefault(secret.Location);
            if (value is null)
            {
                session.SecretRequests[request.ID] = false;
                session.Logger.Warning("Secret {SecretId} comes from environment variable {Variable}, which is not set", secret.Id, secret.Location);
                throw new RpcException(new Status(StatusCode.NotFound, $"secret {secret.Id}: environment variable {secret.Location} is not set"));
            }

            data = System.Text.Encoding.UTF8.GetBytes(value);
        }
        else
        {
            var path = Path.GetFullPath(secret.Location, session.WorkingDirectory);
            try
            {
                data = await File.ReadAllBytesAsync(path, context.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                session.SecretRequests[request.ID] = false;
                session.Logger.Warning("Secret {SecretId} could not be read from {Path}: {Reason}", secret.Id, path, exception.Message);
                throw new RpcException(new Status(StatusCode.NotFound, $"secret {secret.Id}: {path} could not be read"));
            }
        }

        session.Logger.Debug("Served secret {SecretId} from {Source} {Location}", secret.Id, secret.Source, secret.Location);
        return new GetSecretResponse { Data = ByteString.CopyFrom(data) };
    }
}
