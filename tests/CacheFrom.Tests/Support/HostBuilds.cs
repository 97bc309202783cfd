using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Sessions;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Engine-level builds as every host runs them (the pipeline's StageBuilder): a BuildKit build
/// streams its context over a BuildKit session (FileSync), the only way BuildKit reads a context on
/// the containerd image store; the classic builder reads the tar body. A test of the session-less
/// BuildKit path calls <see cref="DockerEngine.BuildAsync"/> itself and says why.
/// </summary>
internal static class HostBuilds
{
    public static async Task<ImageBuildResult> BuildAsHostsDoAsync(this DockerEngine engine, ImageBuildRequest request, TestLogger log, CancellationToken cancellationToken = default)
    {
        if (request.Builder == BuilderKind.Classic)
            return await engine.BuildAsync(request, cancellationToken);

        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        await using var session = await sessions.OpenAsync(
            new BuildSessionRequest
            {
                Endpoint = engine.ResolvedEndpoint,
                ApiVersion = engine.ApiVersion,
                Context = BuildSessionContext.For(request.ContextDirectory, request.DockerfilePath),
                WorkingDirectory = request.ContextDirectory,
            },
            cancellationToken);
        return await engine.BuildAsync(request with { SessionId = session.Id, ContextInSession = true }, cancellationToken);
    }
}
