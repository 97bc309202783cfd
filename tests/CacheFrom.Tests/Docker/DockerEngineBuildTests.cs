using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

[Category("Docker")]
public class DockerEngineBuildTests
{
    private static ImageBuildRequest Request(string context, string dockerfile, BuilderKind builder, string tag, string? target = null) => new()
    {
        ContextDirectory = context,
        DockerfilePath = dockerfile,
        Target = target,
        Tags = [tag],
        Builder = builder,
        DisplayName = "test image",
    };

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task Building_the_sample_twice_reports_every_instruction_and_the_second_time_all_cached(BuilderKind builder)
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 1);
        await EngineReset.EmptyAsync();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var tag = TestEnvironment.UniqueLocalRepository("build") + ":first";

        var first = await engine.BuildAsHostsDoAsync(Request(sample.Directory, sample.DockerfilePath, builder, tag), log);
        var second = await engine.BuildAsHostsDoAsync(Request(sample.Directory, sample.DockerfilePath, builder, tag), log);

        var inspected = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{.Id}}", tag)).Trim();
        Assert.That(second.ImageId, Is.EqualTo(inspected));
        var runSteps = first.Instructions.Where(i => i.Text.StartsWith("RUN", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first.Instructions.Select(i => i.Stage).Distinct(), Is.EqualTo(new[] { "builder", "stage-1" }));
            Assert.That(runSteps.Select(i => (i.Stage, i.Text[..30])), Is.EqualTo(new[]
            {
                ("builder", "RUN echo \"installing system pa"),
                ("builder", "RUN echo \"resolving dependenci"),
                ("stage-1", "RUN echo \"built from $(wc -l <"),
            }));
            // A step that sleeps 1 s cannot take less: a lower bound from the work itself, not from the machine's speed.
            Assert.That(runSteps.Where(i => i.Text.Contains("sleep", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2).And.All.Matches<BuildInstruction>(i => !i.Cached && i.Duration >= TimeSpan.FromSeconds(0.9)));
            Assert.That(second.Instructions.Select(i => i.Text), Is.EquivalentTo(first.Instructions.Select(i => i.Text)));
            Assert.That(second.Instructions, Has.Count.EqualTo(first.Instructions.Count).And.All.Matches<BuildInstruction>(i => i.Cached), "the rebuild re-ran a step");
            Assert.That(log.Lines.Count(l => l.StartsWith("[INF]", StringComparison.Ordinal)), Is.LessThan(20), "a build must not flood the CI log");
        });
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_failing_run_step_names_the_step_and_carries_its_output(BuilderKind builder)
    {
        var log = new TestLogger();
        using var context = new TemporaryContext("""
            FROM BASE AS builder
            RUN echo "preparing the toolchain"
            RUN echo "compiling things" && echo "error: the widget is broken" && exit 3
            """);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
            engine.BuildAsHostsDoAsync(Request(context.Directory, context.DockerfilePath, builder, TestEnvironment.UniqueLocalRepository("failing") + ":x"), log));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.FailedStep, Does.StartWith("RUN echo \"compiling things\""));
        Assert.That(exception.Message, Does.Contain("RUN echo \"compiling things\"").And.Contain("builder"));
        Assert.That(exception.LastOutput, Has.Some.Contains("error: the widget is broken"));
        Assert.That(exception.LastOutput.Count, Is.LessThanOrEqualTo(21));
        Assert.That(exception.Message, Does.Contain("exit code: 3").Or.Contain("returned a non-zero code: 3"), "the step's exit code");
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task An_unknown_target_fails_with_a_message_naming_the_target(BuilderKind builder)
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 0);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
            engine.BuildAsHostsDoAsync(Request(sample.Directory, sample.DockerfilePath, builder, TestEnvironment.UniqueLocalRepository("target") + ":x", target: "no-such-stage"), log));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain("no stage named 'no-such-stage'"));
    }

    [Test]
    public async Task A_missing_dockerfile_fails_before_the_engine_is_asked()
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 0);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var missing = Path.Combine(sample.Directory, "Nope.Dockerfile");

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
            engine.BuildAsHostsDoAsync(Request(sample.Directory, missing, BuilderKind.BuildKit, TestEnvironment.UniqueLocalRepository("nofile") + ":x"), log));

        Assert.That(exception!.Message, Does.Contain(missing).And.Contain("does not exist"));
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_dockerfile_outside_the_context_is_sent_under_its_own_name(BuilderKind builder)
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 0);
        var outside = Path.Combine(Path.GetTempPath(), "cachefrom-outside-" + Guid.NewGuid().ToString("N")[..8] + ".Dockerfile");
        File.Copy(sample.DockerfilePath, outside);
        File.Delete(sample.DockerfilePath);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var tag = TestEnvironment.UniqueLocalRepository("outside") + ":x";

        try
        {
            var result = await engine.BuildAsHostsDoAsync(Request(sample.Directory, outside, builder, tag, target: "builder"), log);

            Assert.That(await DockerCli.ImageExistsAsync(tag), Is.True);
            Assert.That(result.Instructions.Select(i => i.Stage).Distinct(), Is.EqualTo(new[] { "builder" }));
            Assert.That(result.Instructions.Select(i => i.Text), Has.Some.StartsWith("COPY Gemfile"));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_missing_base_image_fails_with_a_message_about_the_base_image(BuilderKind builder)
    {
        var log = new TestLogger();
        using var context = new TemporaryContext($"FROM {TestEnvironment.Registry}/cachefrom-tests/no-such-base:{Guid.NewGuid():N}\nRUN true\n");
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
            engine.BuildAsHostsDoAsync(Request(context.Directory, context.DockerfilePath, builder, TestEnvironment.UniqueLocalRepository("nobase") + ":x"), log));

        TestContext.Out.WriteLine(exception!.Message);
        Assert.That(exception.Message, Does.Contain("base image"));
    }

    [Test]
    public async Task Dockerignore_rules_keep_files_out_of_the_context()
    {
        var log = new TestLogger();
        using var context = new TemporaryContext("FROM BASE\nCOPY . /ctx/\nRUN ls -R /ctx > /listing.txt\n");
        File.WriteAllText(Path.Combine(context.Directory, ".dockerignore"), "# test\n*.secret\nbuild/\n!build/keep.txt\n");
        File.WriteAllText(Path.Combine(context.Directory, "app.txt"), "app");
        File.WriteAllText(Path.Combine(context.Directory, "token.secret"), "secret");
        Directory.CreateDirectory(Path.Combine(context.Directory, "build"));
        File.WriteAllText(Path.Combine(context.Directory, "build", "out.bin"), "bin");
        File.WriteAllText(Path.Combine(context.Directory, "build", "keep.txt"), "keep");
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var tag = TestEnvironment.UniqueLocalRepository("ignore") + ":x";

        await engine.BuildAsHostsDoAsync(Request(context.Directory, context.DockerfilePath, BuilderKind.BuildKit, tag), log);

        var listing = await DockerCli.CheckAsync("run", "--rm", tag, "sh", "-c", "cd /ctx && find . -type f | sort");
        Assert.That(listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Is.EquivalentTo(new[] { "./.dockerignore", "./Dockerfile", "./app.txt", "./build/keep.txt" }));
    }
}
