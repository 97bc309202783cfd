using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineCancellationTests
{
    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task Cancelling_a_build_stops_it_promptly(BuilderKind builder)
    {
        var log = new TestLogger();
        using var context = new TemporaryContext($"FROM BASE\nRUN echo {Guid.NewGuid():N} && sleep 60\n");
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var stopwatch = Stopwatch.StartNew();

        Assert.CatchAsync<OperationCanceledException>(() => engine.BuildAsync(
            new ImageBuildRequest
            {
                ContextDirectory = context.Directory,
                DockerfilePath = context.DockerfilePath,
                Tags = [TestEnvironment.UniqueLocalRepository("cancel") + ":x"],
                Builder = builder,
                DisplayName = "slow image",
            },
            cancellation.Token));

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }
}
