using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineCancellationTests
{
    /// <summary>
    /// Cancelled once the RUN step has printed its marker, a build that would sleep ten minutes ends in
    /// a cancellation: a client that waited for the engine instead would run into [CancelAfter]. How
    /// long the cancel took is logged, not bounded.
    /// </summary>
    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [CancelAfter(120_000)]
    public async Task Cancelling_a_build_stops_it_promptly(BuilderKind builder, CancellationToken cancellationToken)
    {
        var log = new TestLogger();
        using var context = new TemporaryContext($"FROM BASE\nRUN echo {Guid.NewGuid():N} && echo \"cancel-me-$((6*7))\" && sleep 600\n");
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger, cancellationToken);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var build = engine.BuildAsHostsDoAsync(
            new ImageBuildRequest
            {
                ContextDirectory = context.Directory,
                DockerfilePath = context.DockerfilePath,
                Tags = [TestEnvironment.UniqueLocalRepository("cancel") + ":x"],
                Builder = builder,
                DisplayName = "slow image",
            },
            log,
            cancellation.Token);
        await Task.WhenAny(log.WaitForAsync("cancel-me-42", cancellationToken), build);
        Assert.That(build.IsCompleted, Is.False, "the RUN step was running when the build was cancelled");
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => build);
        TestContext.Out.WriteLine($"{builder}: the build ended {stopwatch.Elapsed.TotalMilliseconds:0} ms after the cancel");
    }
}
