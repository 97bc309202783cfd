using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// No engine where DOCKER_HOST points: one message that says where it looked and how to point
/// elsewhere. The engine going away mid-run: a clear failure, no hang.
/// </summary>
[NonParallelizable]
public sealed class EngineFaultTests
{
    [Test]
    [CancelAfter(30_000)]
    public void No_engine_at_the_DOCKER_HOST_socket_ends_in_one_message_saying_where_it_looked_and_how_to_point_elsewhere(CancellationToken cancellationToken)
    {
        var socket = $"/tmp/cachefrom-no-engine-{Guid.NewGuid().ToString("N")[..8]}.sock";
        using var host = new EnvironmentOverride("DOCKER_HOST", "unix://" + socket);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/cachefrom-tests/no-engine", BuilderKind.BuildKit, CacheMode.Registry);

        var exception = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger, cancellationToken: cancellationToken));

        Assert.That(exception!.Message, Does.Contain($"unix://{socket}").And.Contain("no such socket").And.Contain("set DOCKER_HOST"));
    }

    [Test]
    [CancelAfter(30_000)]
    public void No_engine_at_a_DOCKER_HOST_tcp_port_ends_in_one_message_saying_the_connection_was_refused(CancellationToken cancellationToken)
    {
        using var host = new EnvironmentOverride("DOCKER_HOST", "tcp://127.0.0.1:1");
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/cachefrom-tests/no-engine", BuilderKind.BuildKit, CacheMode.Registry);

        var exception = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger, cancellationToken: cancellationToken));

        Assert.That(exception!.Message, Does.Contain("tcp://127.0.0.1:1").And.Contain("connection refused").And.Contain("set DOCKER_HOST"));
    }

    /// <summary>
    /// The engine is reached through a proxy (DOCKER_HOST=tcp://…) that drops every connection
    /// mid-build and refuses new ones — what a client sees when the engine restarts. The drop comes
    /// when the build's first RUN has printed its marker; that RUN then sleeps for ten minutes, so a
    /// pipeline that waited for the build or for some timeout instead of failing at once would run
    /// into [CancelAfter] rather than pass. How long the failure took is logged.
    /// </summary>
    [Test]
    [Category("Docker")]
    [CancelAfter(120_000)]
    public async Task The_engine_going_away_mid_build_ends_in_a_clear_failure_without_a_hang_and_the_next_run_works(CancellationToken cancellationToken)
    {
        await using var proxy = FaultProxy.Start(TestEnvironment.DockerHost);
        using var sample = SampleProject.Create(slowSeconds: 600);
        // The shell computes the marker, so only the step's output (never the Dockerfile text in a log line) holds it.
        sample.Edit("Dockerfile", text => text.Replace("RUN echo \"installing system packages\"", "RUN echo \"engine-gone-$((6*7))\" && echo \"installing system packages\"", StringComparison.Ordinal));
        var log = new TestLogger();
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("engine-gone"), BuilderKind.BuildKit, CacheMode.None);
        options.DockerHost = $"tcp://{proxy.Address}";

        var run = PipelineRunner.PublishAsync(options, log, cancellationToken);
        await Task.WhenAny(log.WaitForAsync("engine-gone-42", cancellationToken), run);
        Assert.That(run.IsCompleted, Is.False, "the build was under way when the engine went");
        proxy.Mode = FaultMode.Refuse;
        proxy.DropAll();
        var clock = Stopwatch.StartNew();
        var exception = Assert.CatchAsync<CacheFromException>(() => run);
        clock.Stop();

        TestContext.Progress.WriteLine($"after {clock.Elapsed.TotalSeconds:0.0} s: {exception!.GetType().Name}: {exception.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.InstanceOf<DockerEngineUnavailableException>());
            Assert.That(exception.Message, Does.Contain($"tcp://{proxy.Address}").And.Contain("stopped answering").And.Contain("DOCKER_HOST"));
        });

        proxy.Mode = FaultMode.Pass;
        sample.Edit("Dockerfile", text => text.Replace("ARG SLOW_SECONDS=600", "ARG SLOW_SECONDS=1", StringComparison.Ordinal));
        var again = await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);
        Assert.That(again.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded), "the engine is back; so is the pipeline");
    }
}
