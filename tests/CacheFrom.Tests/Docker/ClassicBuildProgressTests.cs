using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Docker.Build;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// The classic builder's progress, on streams captured from the engines (no engine needed). The
/// Dockerfile's first RUN prints the builder's own markers: a step line, " ---&gt; Using cache",
/// a FROM … AS line, a "Running in" line, and a step line without a line break at the end.
/// </summary>
public sealed class ClassicBuildProgressTests
{
    // Docker 20.10, a cold build of:
    //   FROM cachefrom/busybox:1.35.0 AS builder
    //   RUN printf 'Step 3/4 : RUN x\n ---> Using cache\nStep 9/9 : FROM evil AS bad\n ---> Running in 0123456789ab\n'; printf 'Step 4/4 : RUN y'
    //   RUN echo done
    //   FROM builder
    //   RUN echo final
    private const string ColdOn20 = """
        {"stream":"Step 1/5 : FROM cachefrom/busybox:1.35.0 AS builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e 705776e06713\n"}
        {"stream":"Step 2/5 : RUN printf 'Step 3/4 : RUN x\\n ---\u003e Using cache\\nStep 9/9 : FROM evil AS bad\\n ---\u003e Running in 0123456789ab\\n'; printf 'Step 4/4 : RUN y'"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in 7fed0931f9ee\n"}
        {"stream":"Step 3/4 : RUN x\n ---\u003e Using cache\nStep 9/9 : FROM evil AS bad\n ---\u003e Running in 0123456789ab\nStep 4/4 : RUN y"}
        {"stream":"Removing intermediate container 7fed0931f9ee\n"}
        {"stream":" ---\u003e e40252a8f6e7\n"}
        {"stream":"Step 3/5 : RUN echo done"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in 13ca28b9060a\n"}
        {"stream":"done\n"}
        {"stream":"Removing intermediate container 13ca28b9060a\n"}
        {"stream":" ---\u003e 67ffbf76c223\n"}
        {"aux":{"ID":"sha256:67ffbf76c223b600c85e6b9a4d374dc6b4f288659ea08ecd777c31e9835ab62c"}}
        {"stream":"Step 4/5 : FROM builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e 67ffbf76c223\n"}
        {"stream":"Step 5/5 : RUN echo final"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in fe034f801d76\n"}
        {"stream":"final\n"}
        {"stream":"Removing intermediate container fe034f801d76\n"}
        {"stream":" ---\u003e e9ca89db3213\n"}
        {"aux":{"ID":"sha256:e9ca89db32133a9e341711d390581796205d4a23dcb1ecc777e08b95efdb21bf"}}
        {"stream":"Successfully built e9ca89db3213\n"}
        {"stream":"Successfully tagged fake:1\n"}
        """;

    // Docker 26.1, the same build cold ("---> Removed intermediate container", not "Removing …").
    private const string ColdOn26 = """
        {"stream":"Step 1/5 : FROM cachefrom/busybox:1.35.0 AS builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e a4c4661bfdc9\n"}
        {"stream":"Step 2/5 : RUN printf 'Step 3/4 : RUN x\\n ---\u003e Using cache\\nStep 9/9 : FROM evil AS bad\\n ---\u003e Running in 0123456789ab\\n'; printf 'Step 4/4 : RUN y'"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in 0eb52db71e14\n"}
        {"stream":"Step 3/4 : RUN x\n ---\u003e Using cache\nStep 9/9 : FROM evil AS bad\n ---\u003e Running in 0123456789ab\nStep 4/4 : RUN y"}
        {"stream":" ---\u003e Removed intermediate container 0eb52db71e14\n"}
        {"stream":" ---\u003e 28b207f45d0c\n"}
        {"stream":"Step 3/5 : RUN echo done"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in 5cacf8f5d612\n"}
        {"stream":"done\n"}
        {"stream":" ---\u003e Removed intermediate container 5cacf8f5d612\n"}
        {"stream":" ---\u003e 0cfc740c8b9a\n"}
        {"aux":{"ID":"sha256:0cfc740c8b9a310a7d9651a7bdf6e1a7d08c127273df3ac0fe3b49424a07d4f3"}}
        {"stream":"Step 4/5 : FROM builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e 0cfc740c8b9a\n"}
        {"stream":"Step 5/5 : RUN echo final"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in a9e84778c7fa\n"}
        {"stream":"final\n"}
        {"stream":" ---\u003e Removed intermediate container a9e84778c7fa\n"}
        {"stream":" ---\u003e 1312532cff5c\n"}
        {"aux":{"ID":"sha256:1312532cff5c0dc8dd2b953f1ea365c01cccd1522da5defc31c9ce91b5557529"}}
        {"stream":"Successfully built 1312532cff5c\n"}
        {"stream":"Successfully tagged fake:1\n"}
        """;

    // Docker 26.1, the same build again: every step cached.
    private const string WarmOn26 = """
        {"stream":"Step 1/5 : FROM cachefrom/busybox:1.35.0 AS builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e a4c4661bfdc9\n"}
        {"stream":"Step 2/5 : RUN printf 'Step 3/4 : RUN x\\n ---\u003e Using cache\\nStep 9/9 : FROM evil AS bad\\n ---\u003e Running in 0123456789ab\\n'; printf 'Step 4/4 : RUN y'"}
        {"stream":"\n"}
        {"stream":" ---\u003e Using cache\n"}
        {"stream":" ---\u003e 28b207f45d0c\n"}
        {"stream":"Step 3/5 : RUN echo done"}
        {"stream":"\n"}
        {"stream":" ---\u003e Using cache\n"}
        {"stream":" ---\u003e 0cfc740c8b9a\n"}
        {"aux":{"ID":"sha256:0cfc740c8b9a310a7d9651a7bdf6e1a7d08c127273df3ac0fe3b49424a07d4f3"}}
        {"stream":"Step 4/5 : FROM builder"}
        {"stream":"\n"}
        {"stream":" ---\u003e 0cfc740c8b9a\n"}
        {"stream":"Step 5/5 : RUN echo final"}
        {"stream":"\n"}
        {"stream":" ---\u003e Using cache\n"}
        {"stream":" ---\u003e 1312532cff5c\n"}
        {"aux":{"ID":"sha256:1312532cff5c0dc8dd2b953f1ea365c01cccd1522da5defc31c9ce91b5557529"}}
        {"stream":"Successfully built 1312532cff5c\n"}
        {"stream":"Successfully tagged fake:1\n"}
        """;

    // Docker 26.1: a RUN that prints a step line as a whole message, then fails.
    private const string FailingOn26 = """
        {"stream":"Step 1/2 : FROM cachefrom/busybox:1.35.0"}
        {"stream":"\n"}
        {"stream":" ---\u003e a4c4661bfdc9\n"}
        {"stream":"Step 2/2 : RUN printf 'Step 9/9 : RUN fake\\n'; exit 4"}
        {"stream":"\n"}
        {"stream":" ---\u003e Running in 3a91f37c241f\n"}
        {"stream":"Step 9/9 : RUN fake\n"}
        {"stream":" ---\u003e Removed intermediate container 3a91f37c241f\n"}
        {"errorDetail":{"code":4,"message":"The command '/bin/sh -c printf 'Step 9/9 : RUN fake\\n'; exit 4' returned a non-zero code: 4"},"error":"The command '/bin/sh -c printf 'Step 9/9 : RUN fake\\n'; exit 4' returned a non-zero code: 4"}
        """;

    private static readonly string[] Texts =
    [
        "FROM cachefrom/busybox:1.35.0 AS builder",
        "RUN printf 'Step 3/4 : RUN x\\n ---> Using cache\\nStep 9/9 : FROM evil AS bad\\n ---> Running in 0123456789ab\\n'; printf 'Step 4/4 : RUN y'",
        "RUN echo done",
        "FROM builder",
        "RUN echo final",
    ];

    private static IEnumerable<JsonElement> Messages(string capture) =>
        capture.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone());

    private static ClassicBuildProgress Feed(string capture)
    {
        var progress = new ClassicBuildProgress(TimeProvider.System);
        foreach (var message in Messages(capture))
        {
            if (message.TryGetProperty("stream", out var stream))
                progress.Append(stream.GetString()!);
        }

        return progress;
    }

    [TestCase(ColdOn20, TestName = "Run output that prints builder markers is not read as steps (20.10)")]
    [TestCase(ColdOn26, TestName = "Run output that prints builder markers is not read as steps (26.1)")]
    public void Run_output_that_prints_builder_markers_is_not_read_as_steps(string capture)
    {
        var instructions = Feed(capture).Complete(succeeded: true);

        Assert.That(instructions, Has.Count.EqualTo(5));
        Assert.Multiple(() =>
        {
            Assert.That(instructions.Select(i => i.Text), Is.EqualTo(Texts));
            Assert.That(instructions.Select(i => i.Stage), Is.EqualTo(new[] { "builder", "builder", "builder", "stage-1", "stage-1" }));
            Assert.That(instructions.Select(i => i.Cached), Is.EqualTo(new[] { true, false, false, true, false }), "only FROM steps are cached (nothing was pulled)");
        });
    }

    [Test]
    public void Every_step_of_a_warm_build_is_cached()
    {
        var instructions = Feed(WarmOn26).Complete(succeeded: true);

        Assert.That(instructions, Has.Count.EqualTo(5));
        Assert.That(instructions.Select(i => i.Cached), Is.EqualTo(new[] { true, true, true, true, true }));
    }

    [Test]
    public void A_steps_output_keeps_the_run_output_including_its_unterminated_last_line()
    {
        var progress = new ClassicBuildProgress(TimeProvider.System);
        var lines = new List<string>();
        foreach (var message in Messages(ColdOn20).TakeWhile(m => m.GetProperty("stream").GetString() != " ---> e40252a8f6e7\n"))
            lines.AddRange(progress.Append(message.GetProperty("stream").GetString()!));

        Assert.Multiple(() =>
        {
            Assert.That(progress.CurrentStepLine, Does.StartWith("Step 2/5 : RUN printf"));
            Assert.That(progress.CurrentOutput, Does.Contain("Step 9/9 : FROM evil AS bad").And.Contain("Step 4/4 : RUN y"));
            Assert.That(lines, Does.Contain("Step 4/4 : RUN y").And.Contain("Removing intermediate container 7fed0931f9ee"));
        });
    }

    [Test]
    public void A_failing_run_that_printed_a_step_line_is_blamed_on_its_own_step()
    {
        var request = new ImageBuildRequest
        {
            ContextDirectory = "/context",
            DockerfilePath = "/context/Dockerfile",
            Tags = ["cfail:1"],
            Builder = BuilderKind.Classic,
            DisplayName = "test image",
        };
        var run = new BuildRun(request, ["stage-0"], TimeProvider.System);
        foreach (var message in Messages(FailingOn26))
            run.Apply(message);

        var failure = run.Failure();

        Assert.That(failure, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(failure!.FailedStep, Is.EqualTo("RUN printf 'Step 9/9 : RUN fake\\n'; exit 4"));
            Assert.That(failure.Message, Does.Contain("Step 2/2").And.Contain("returned a non-zero code: 4"));
            Assert.That(failure.LastOutput, Does.Contain("Step 9/9 : RUN fake"));
        });
    }
}
