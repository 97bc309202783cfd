using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Docker.Build;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// Which step a failed BuildKit build is blamed on, on streams captured from the engines
/// (Assets/buildkit-failures/README.md): the failing step, not a vertex BuildKit cancelled because of it.
/// </summary>
public sealed class BuildKitFailureTests
{
    private static readonly string Assets = Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "buildkit-failures");

    private static ImageBuildFailedException? Replay(string capture, IReadOnlyList<string> stages)
    {
        var request = new ImageBuildRequest
        {
            ContextDirectory = "/context",
            DockerfilePath = "/context/Dockerfile",
            Tags = ["failing:1"],
            Builder = BuilderKind.BuildKit,
            DisplayName = "test image",
        };
        var run = new BuildRun(request, stages, TimeProvider.System);
        foreach (var line in File.ReadLines(Path.Combine(Assets, capture)).Where(l => l.Length > 0))
        {
            using var message = JsonDocument.Parse(line);
            run.Apply(message.RootElement);
        }

        return run.Failure();
    }

    [TestCase("failing-run-beside-a-slow-stage.d20.jsonl")]
    [TestCase("failing-run-beside-a-slow-stage.d26.jsonl")]
    public void A_failing_run_is_blamed_not_the_stage_buildkit_cancelled_because_of_it(string capture)
    {
        var failure = Replay(capture, ["slow", "broken", "dependant", "stage-3"]);

        Assert.That(failure, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(failure!.FailedStep, Is.EqualTo("RUN sleep 1 && echo about to fail && exit 3"));
            Assert.That(failure.Message, Does.Contain("(stage broken)").And.Contain("exit code: 3").And.Not.Contain("context canceled"));
            Assert.That(failure.LastOutput, Is.EqualTo(new[] { "about to fail" }));
        });
    }

    [TestCase("missing-copy-source-beside-a-slow-stage.d20.jsonl")]
    [TestCase("missing-copy-source-beside-a-slow-stage.d26.jsonl")]
    public void A_copy_of_a_missing_file_is_blamed_not_the_stage_buildkit_cancelled_because_of_it(string capture)
    {
        var failure = Replay(capture, ["slow", "broken", "dependant", "stage-3"]);

        Assert.That(failure, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(failure!.FailedStep, Is.EqualTo("COPY missing.txt /m"));
            Assert.That(failure.Message, Does.Contain("(stage broken)").And.Contain("missing.txt").And.Not.Contain("context canceled"));
        });
    }

    [Test]
    public void A_cancelled_vertex_is_blamed_only_when_nothing_else_failed()
    {
        var progress = new BuildKitProgress(["a", "b"]);
        var at = DateTimeOffset.UnixEpoch;
        progress.Apply(new BuildKitStatus(
            [
                new BuildKitVertex("sha256:cancelled", "[a 2/2] RUN sleep 30", false, at, at.AddSeconds(1), "process \"/bin/sh -c sleep 30\" did not complete successfully: exit code: 137: context canceled: context canceled"),
                new BuildKitVertex("sha256:internal", "[internal] load build context", false, at, at.AddSeconds(2), "rpc error: something else"),
                new BuildKitVertex("sha256:root", "[b 2/2] RUN false", false, at, at.AddSeconds(3), "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"),
            ],
            [],
            []));

        Assert.Multiple(() =>
        {
            Assert.That(progress.Failed("process \"/bin/sh -c false\" did not complete successfully: exit code: 1")?.Name, Is.EqualTo("[b 2/2] RUN false"), "the error the build ended with");
            Assert.That(progress.Failed("rpc error: something else")?.Name, Is.EqualTo("[internal] load build context"), "the error the build ended with, even if not a step");
            Assert.That(progress.Failed(null)?.Name, Is.EqualTo("[b 2/2] RUN false"), "a step over BuildKit's own work");
        });
    }

    [Test]
    public void Of_two_failed_steps_the_one_that_failed_first_is_blamed()
    {
        var progress = new BuildKitProgress(["a", "b"]);
        var at = DateTimeOffset.UnixEpoch;
        progress.Apply(new BuildKitStatus(
            [
                new BuildKitVertex("sha256:later", "[a 2/2] RUN false", false, at, at.AddSeconds(5), "exit code: 1"),
                new BuildKitVertex("sha256:first", "[b 2/2] RUN false", false, at, at.AddSeconds(1), "exit code: 1"),
            ],
            [],
            []));

        Assert.That(progress.Failed("exit code: 1")?.Name, Is.EqualTo("[b 2/2] RUN false"));
    }
}
