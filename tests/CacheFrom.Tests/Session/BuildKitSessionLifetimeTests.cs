using System.Diagnostics;
using CacheFrom.BuildKit.Session;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary>
/// How sessions live: kept alive by health checks, one server for many builds, a lost session is
/// loud, not a hang. The tests wait for what the engine does (health checks, a build's output), not
/// for guessed delays; durations are logged, never bounded ([CancelAfter] is only the hang guard).
/// </summary>
[TestFixture]
[Category("Docker")]
public sealed class BuildKitSessionLifetimeTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task Given_an_open_session_When_the_engine_runs_health_checks_Then_it_stays_open_until_disposed(CancellationToken cancellationToken)
    {
        var log = new TestLogger();
        await using var host = Host(log);
        var session = await host.OpenAsync(Request(Path.GetTempPath()), cancellationToken);
        var state = ((BuildKitSession)session).State;
        var stopwatch = Stopwatch.StartNew();

        // The engine checks about every second; three checks answered means the session lived through them.
        while (state.HealthChecks < 3)
            await Task.Delay(100, cancellationToken);
        TestContext.Progress.WriteLine($"3 health checks after {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.That(session.Fault, Is.Null);

        await session.DisposeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(session.Fault, Is.Null, "closing on purpose is not a fault");
            Assert.That(host.OpenSessions, Is.Zero);
            Assert.That(log.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task Given_many_builds_in_one_process_When_each_opens_its_own_host_and_session_Then_one_server_serves_them_all()
    {
        var log = new TestLogger();
        var context = Context("""
            FROM BASE
            RUN --mount=type=secret,id=token test -s /run/secrets/token && echo "build saw its secret"
            """);
        var secretFile = Path.Combine(context, "token.txt");
        await File.WriteAllTextAsync(secretFile, "per-build secret");
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            // NUKE runs each target separately: every build gets its own host, as a target would.
            await using (var first = Host(log))
            await using (await first.OpenAsync(Request(context)))
            {
            }

            var starts = SessionServer.Starts;
            var opens = new List<TimeSpan>();
            for (var build = 0; build < 4; build++)
            {
                await using var host = Host(log);
                var stopwatch = Stopwatch.StartNew();
                await using var session = await host.OpenAsync(Request(context, secrets: [new BuildSecret("token", BuildSecretSource.File, secretFile)]));
                opens.Add(stopwatch.Elapsed);
                var tag = TestEnvironment.UniqueLocalRepository("session-many") + ":latest";
                await engine.BuildAsync(Build(context, tag, session.Id));
                Assert.That(session.Fault, Is.Null);
                await DockerCli.RunAsync("rmi", "-f", tag);
            }

            TestContext.Progress.WriteLine($"session opens: {string.Join(", ", opens.Select(o => $"{o.TotalMilliseconds:0} ms"))}");
            Assert.Multiple(() =>
            {
                Assert.That(SessionServer.Starts, Is.EqualTo(starts), "no build started another server: opening a session on a running server is cheap");
                Assert.That(opens, Has.Count.EqualTo(4));
                Assert.That(log.Warnings, Is.Empty);
            });
        }
        finally
        {
            Delete(context);
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Given_a_build_that_needs_the_session_When_the_session_is_lost_mid_build_Then_the_build_fails_clearly_instead_of_hanging(CancellationToken cancellationToken)
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        // The shell computes the printed marker, so only the step's output holds it; the step then sleeps past the severing.
        var context = Context($"""
            FROM BASE
            RUN echo "sleeping-{marker}-$((6*7))" && sleep 4 && echo "slept {marker}"
            RUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null && echo "read the secret"
            """);
        await File.WriteAllTextAsync(Path.Combine(context, "token.txt"), "lost-session secret", cancellationToken);
        var log = new TestLogger();
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger, cancellationToken);
            await using var host = Host(log);
            var session = await host.OpenAsync(Request(context, secrets: [new BuildSecret("token", BuildSecretSource.File, "token.txt")]), cancellationToken);
            var build = engine.BuildAsync(Build(context, TestEnvironment.UniqueLocalRepository("session-lost") + ":latest", session.Id), cancellationToken);

            await Task.WhenAny(log.WaitForAsync($"sleeping-{marker}-42", cancellationToken), build);
            Assert.That(build.IsCompleted, Is.False, "the first RUN was under way when the session was severed");
            ((BuildKitSession)session).Sever();

            var stopwatch = Stopwatch.StartNew();
            var failure = Assert.ThrowsAsync<ImageBuildFailedException>(async () => await build, "a build that hangs here runs into [CancelAfter]");
            TestContext.Progress.WriteLine($"build ended {stopwatch.Elapsed.TotalSeconds:0.0} s after the session was lost: {failure!.Message}");

            Assert.Multiple(() =>
            {
                Assert.That(failure.Message, Does.Contain("session").IgnoreCase);
                Assert.That(session.Fault, Is.Not.Null);
                Assert.That(session.Fault!.Message, Does.Contain("was lost"));
                Assert.That(log.Warnings, Has.Some.Contains("lost after"));
            });
            await session.DisposeAsync();
        }
        finally
        {
            Delete(context);
        }
    }

    [Test]
    public async Task Given_a_running_server_When_sessions_open_Then_the_costs_are_measured()
    {
        var log = new TestLogger();
        var shared = await SessionServer.SharedAsync(log.Logger);
        var stopwatch = Stopwatch.StartNew();
        await using var second = await SessionServer.StartAsync(log.Logger);
        var secondStart = stopwatch.Elapsed;

        await using var host = BuildKitSessionHost.CreateWithServer(log.Logger, second);
        var opens = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            stopwatch.Restart();
            await using var session = await host.OpenAsync(Request(Path.GetTempPath()));
            opens.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        // Measured, not bounded: the numbers depend on the machine. Run alone (dotnet test --filter …costs_are_measured) for a cold first start.
        TestContext.Progress.WriteLine(
            $"session server: first start in this process {shared.Startup.TotalMilliseconds:0} ms, another start {secondStart.TotalMilliseconds:0} ms; "
            + $"session open: first {opens[0]:0} ms, median {opens.Order().ElementAt(opens.Count / 2):0} ms, max {opens.Max():0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(opens, Has.Count.EqualTo(10), "every session opened");
            Assert.That(host.OpenSessions, Is.Zero, "and closed again");
        });
    }
}
