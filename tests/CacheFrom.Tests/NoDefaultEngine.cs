using CacheFrom.Tests.Support;

namespace CacheFrom.Tests;

/// <summary>
/// Before any test of the run: without DOCKER_HOST the code under test would fall back to the default
/// socket, where a user's own engine listens. It is pointed where nothing listens instead, so a test
/// that reaches for an engine without being in the Docker category fails, whoever runs the tests
/// (scripts/test.sh, ./build.sh Test, a bare dotnet test), and never touches the user's engine.
/// </summary>
[SetUpFixture]
public sealed class NoDefaultEngine
{
    [OneTimeSetUp]
    public void PointDockerHostAwayFromTheDefaultSocket()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
            Environment.SetEnvironmentVariable("DOCKER_HOST", TestEnvironment.NoEngineHost);
    }
}
