using CacheFrom.BuildKit.Session.Hosting;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

internal static class SessionLookup
{
    /// <summary>The session whose connection carried this call; the connection id is the session id.</summary>
    public static SessionState Session(this SessionRegistry registry, ServerCallContext context) =>
        registry.Find(context.GetHttpContext().Connection.Id)
        ?? throw new RpcException(new Status(StatusCode.Unavailable, "this BuildKit session has been closed by the client"));
}
