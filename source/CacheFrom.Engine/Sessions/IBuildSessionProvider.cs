namespace CacheFrom.Sessions;

/// <summary>
/// Opens BuildKit sessions: the gRPC services a client serves back to the engine over
/// <c>POST /session</c> (the build context, registry credentials, build secrets, ssh-agent
/// forwarding). Optional: without a provider, BuildKit builds send the context as the request body
/// (which engines on the containerd image store cannot read) and the pipeline pulls cache images
/// with credentials first. One provider serves many sessions and is disposed by its owner.
/// </summary>
public interface IBuildSessionProvider
{
    /// <summary>Opens a session on the engine; the build then carries <c>session=<see cref="IBuildSession.Id"/></c>.</summary>
    Task<IBuildSession> OpenAsync(BuildSessionRequest request, CancellationToken cancellationToken = default);
}
