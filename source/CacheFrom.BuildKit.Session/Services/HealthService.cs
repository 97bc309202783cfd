using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.Protocol.Health;
using Grpc.Core;

namespace CacheFrom.BuildKit.Session.Services;

/// <summary>The engine checks every second and drops the session on any error; a closed session answers Unavailable.</summary>
internal sealed class HealthService(SessionRegistry registry) : Health.HealthBase
{
    private static readonly Task<HealthCheckResponse> Serving =
        Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        registry.Session(context).RecordHealthCheck();
        return Serving;
    }
}
