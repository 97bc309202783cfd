using System.Diagnostics;
using CacheFrom.BuildKit.Session;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary>How sessions live: kept alive by health checks, one server for many builds, a lost session is loud, not a hang.</summary>
[TestFixture]
[Category("Docker")]
public sealed class BuildKitSessionLifetimeTests
{
    [Test]
    public async Task Given_an_open_session_When_the_engine_runs_health_checks_Then_it_stays_open_until_disposed()
    {
        var log = new TestLogger();
        await using var host = Host(log);
        var session = await host.OpenAsync(Request(Path.GetTempPath()));
        var state = ((BuildKitSession)session).State;

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Multiple(() =>
        {
            Assert.That(state.HealthChecks, Is.GreaterThanOrEqualTo(2), "the engine checks every second");
            Assert.That(session.Fault, Is.Null);
        });

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
                Assert.That(SessionServer.Starts, Is.EqualTo(starts), "no build started another server");
                Assert.That(opens.Max(), Is.LessThan(TimeSpan.FromSeconds(1)), "opening a session on a running server is cheap");
                Assert.That(log.Warnings, Is.Empty);
            });
        }
        finally
        {
            Delete(context);
        }
    }

    [Test]
    public async Task Given_a_build_that_needs_the_session_When_the_session_is_lost_mid_build_Then_the_build_fails_clearly_instead_of_hanging()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var context = Context($"""
            FROM BASE
            RUN sleep 4 && echo "slept {marker}"
            RUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null && echo "read the secret"
            """);
        await File.WriteAllTextAsync(Path.Combine(context, "token.txt"), "lost-session secret");
        var log = new TestLogger();
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            var session = await host.OpenAsync(Request(context, secrets: [new BuildSecret("token", BuildSecretSource.File, "token.txt")]));
            var build = engine.BuildAsync(Build(context, TestEnvironment.UniqueLocalRepository("session-lost") + ":latest", session.Id));

            await Task.Delay(TimeSpan.FromSeconds(2));
            ((BuildKitSession)session).Sever();

            var stopwatch = Stopwatch.StartNew();
            var finished = await Task.WhenAny(build, Task.Delay(TimeSpan.FromSeconds(90)));
            Assert.That(finished, Is.SameAs(build), "the build hangs after the session was lost");
            var failure = Assert.ThrowsAsync<ImageBuildFailedException>(async () => await build);
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

        // Run alone (dotnet test --filter …costs_are_measured) for a cold first start.
        TestContext.Progress.WriteLine(
            $"session server: first start in this process {shared.Startup.TotalMilliseconds:0} ms, another start {secondStart.TotalMilliseconds:0} ms; "
            + $"session open: first {opens[0]:0} ms, median {opens.Order().ElementAt(opens.Count / 2):0} ms, max {opens.Max():0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(shared.Startup, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(opens.Order().ElementAt(opens.Count / 2), Is.LessThan(250));
        });
    }
}
