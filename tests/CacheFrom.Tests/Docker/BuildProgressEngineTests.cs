using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// The build progress heuristics on a real engine: output that imitates the classic builder's
/// markers, and a BuildKit failure that makes BuildKit cancel (and mark errored) a stage beside it.
/// </summary>
[Category("Docker")]
public sealed class BuildProgressEngineTests
{
    // TemporaryContext puts the pinned base image where BASE stands.
    private const string ImitatingRun = """
        FROM BASE AS builder
        RUN printf 'Step 3/4 : RUN x\n ---> Using cache\nStep 9/9 : FROM evil AS bad\n'; printf 'Step 4/4 : RUN y' # RUN-ID
        RUN echo done
        FROM builder
        RUN echo final
        """;

    private static ImageBuildRequest Request(TemporaryContext context, BuilderKind builder, string tag) => new()
    {
        ContextDirectory = context.Directory,
        DockerfilePath = context.DockerfilePath,
        Tags = [tag],
        Builder = builder,
        DisplayName = "test image",
    };

    [Test]
    public async Task Classic_builds_count_only_the_dockerfiles_steps_when_a_run_prints_step_and_cache_lines()
    {
        var log = new TestLogger();
        // A fresh RUN-ID per run: the cold build must not hit an earlier run's cache.
        using var context = new TemporaryContext(ImitatingRun.Replace("RUN-ID", Guid.NewGuid().ToString("N"), StringComparison.Ordinal));
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var tag = TestEnvironment.UniqueLocalRepository("imitating") + ":x";

        var cold = await engine.BuildAsHostsDoAsync(Request(context, BuilderKind.Classic, tag), log);
        var warm = await engine.BuildAsHostsDoAsync(Request(context, BuilderKind.Classic, tag), log);

        var history = await DockerCli.CheckAsync("image", "history", "--no-trunc", "--format", "{{.CreatedBy}}", tag);
        TestContext.Out.WriteLine(history);
        Assert.That(cold.Instructions, Has.Count.EqualTo(5));
        Assert.That(warm.Instructions, Has.Count.EqualTo(5));
        Assert.Multiple(() =>
        {
            Assert.That(cold.Instructions.Select(i => i.Stage), Is.EqualTo(new[] { "builder", "builder", "builder", "stage-1", "stage-1" }));
            Assert.That(cold.Instructions.Select(i => i.Cached), Is.EqualTo(new[] { true, false, false, true, false }), "the printed ' ---> Using cache' is not a cache hit");
            Assert.That(warm.Instructions.Select(i => i.Cached), Is.All.True);
            Assert.That(history, Does.Contain("echo final").And.Contain("printf 'Step 3/4"), "the image holds the steps that ran");
        });
    }

    [Test]
    public async Task A_buildkit_failure_is_blamed_on_the_failing_step_not_on_the_stage_buildkit_cancelled()
    {
        var log = new TestLogger();
        using var context = new TemporaryContext("""
            FROM BASE AS slow
            RUN sleep 30 && echo slow > /slow

            FROM BASE AS broken
            RUN sleep 1 && echo about to fail && exit 3

            FROM BASE
            COPY --from=slow /slow /slow
            COPY --from=broken /etc/hostname /h
            """);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
            engine.BuildAsHostsDoAsync(Request(context, BuilderKind.BuildKit, TestEnvironment.UniqueLocalRepository("cancelled") + ":x"), log));

        // BuildKit cancels the slow stage's RUN and marks it errored too (Assets/buildkit-failures holds such streams).
        TestContext.Out.WriteLine(exception!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(exception.FailedStep, Is.EqualTo("RUN sleep 1 && echo about to fail && exit 3"));
            Assert.That(exception.Message, Does.Contain("(stage broken)").And.Contain("exit code: 3").And.Not.Contain("context canceled"));
            Assert.That(exception.LastOutput, Has.Some.Contains("about to fail"));
        });
    }
}
