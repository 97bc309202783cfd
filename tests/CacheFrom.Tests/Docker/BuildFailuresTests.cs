using CacheFrom.Configuration;
using CacheFrom.Docker.Build;

namespace CacheFrom.Tests.Docker;

/// <summary>How a failed build is worded: engine error texts as both builders send them, no engine needed.</summary>
public sealed class BuildFailuresTests
{
    private static readonly ImageBuildRequest Request = new()
    {
        ContextDirectory = "/src",
        DockerfilePath = "/src/app.Dockerfile",
        Target = "builder",
        Tags = ["app:x"],
        Builder = BuilderKind.BuildKit,
        DisplayName = "stage builder",
    };

    [Test]
    public void A_failing_RUN_names_its_position_instruction_stage_and_error_and_carries_its_output()
    {
        var exception = BuildFailures.AtStep(Request, "builder", "step 3/4", "RUN make", "exit code: 2", ["make: *** [all] Error 2"]);

        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Is.EqualTo("The build of stage builder failed at step 3/4 RUN make (stage builder): exit code: 2"));
            Assert.That(exception.FailedStep, Is.EqualTo("RUN make"));
            Assert.That(exception.LastOutput, Is.EqualTo(new[] { "make: *** [all] Error 2" }));
        });
    }

    [TestCase("FROM registry.example.com/base:1")]
    [TestCase("from registry.example.com/base:1")]
    public void A_failing_FROM_is_a_base_image_that_could_not_be_fetched(string instruction)
    {
        var exception = BuildFailures.AtStep(Request, "builder", "step 1/4", instruction, "pull access denied", []);

        Assert.That(exception.Message, Does.Contain("the base image could not be fetched: pull access denied").And.Contain("log in to its registry"));
    }

    [TestCase("target stage \"builder\" could not be found")]
    [TestCase("failed to reach build target builder in Dockerfile")]
    public void An_unknown_target_names_the_target_and_the_Dockerfile(string error) =>
        Assert.That(BuildFailures.General(Request, error, []).Message, Does.Contain("the Dockerfile /src/app.Dockerfile has no stage named 'builder'"));

    [TestCase("dockerfile parse error line 3: unknown instruction: RUNN")]
    [TestCase("failed to solve: failed to parse stage name \"1x\": invalid reference format; Dockerfile parse error")]
    [TestCase("Unknown instruction: RUNN")]
    public void A_syntax_error_says_the_Dockerfile_is_invalid(string error) =>
        Assert.That(BuildFailures.General(Request, error, []).Message, Does.Contain("the Dockerfile /src/app.Dockerfile is invalid: " + error));

    [TestCase("Cannot locate specified Dockerfile: app.Dockerfile")]
    [TestCase("failed to solve with frontend dockerfile.v0: failed to read dockerfile: open /var/lib/docker/tmp/x/app.Dockerfile: no such file or directory")]
    public void A_Dockerfile_missing_from_the_context_points_at_docker_file_and_dockerignore(string error) =>
        Assert.That(BuildFailures.General(Request, error, []).Message, Does.Contain("found no Dockerfile /src/app.Dockerfile in the context").And.Contain(".dockerignore"));

    [TestCase("pull access denied for nope, repository does not exist or may require 'docker login'")]
    [TestCase("manifest for 127.0.0.1:5000/base:1 not found: manifest unknown: manifest unknown")]
    [TestCase("failed to solve: 127.0.0.1:5000/base:1: failed to do request: Head \"http://127.0.0.1:5000/v2/base/manifests/1\": connection refused; load metadata for 127.0.0.1:5000/base:1")]
    public void A_base_image_that_cannot_be_fetched_says_so(string error) =>
        Assert.That(BuildFailures.General(Request, error, []).Message, Does.Contain("a base image could not be fetched: " + error));

    [Test]
    public void Any_other_error_is_passed_on_as_the_engine_said_it_with_its_cause()
    {
        var inner = new InvalidOperationException("inner");

        var exception = BuildFailures.General(Request, "no space left on device", ["last line"], inner);

        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Is.EqualTo("The build of stage builder failed: no space left on device"));
            Assert.That(exception.FailedStep, Is.Null);
            Assert.That(exception.LastOutput, Is.EqualTo(new[] { "last line" }));
            Assert.That(exception.InnerException, Is.SameAs(inner));
        });
    }

    [Test]
    public void BuildKit_losing_the_race_to_create_a_new_tag_is_told_from_other_failures()
    {
        var lost = new ImageBuildFailedException("The build of stage builder failed: exporting to image: image \"127.0.0.1:5103/app:main--builder\": already exists", null, []);
        var other = new ImageBuildFailedException("The build of stage builder failed at step 2/3 RUN mkdir /x (stage builder): mkdir: can't create directory '/x': File exists", "RUN mkdir /x", []);

        Assert.Multiple(() =>
        {
            Assert.That(BuildFailures.IsTagCreatedConcurrently(lost), Is.True);
            Assert.That(BuildFailures.IsTagCreatedConcurrently(other), Is.False);
        });
    }

    [Test]
    public void A_snapshot_collected_under_the_export_is_told_from_other_failures()
    {
        // As Docker 26.1 with the containerd image store said it in CI.
        var collected = new ImageBuildFailedException(
            "The build of stage builder failed: exporting to image: failed to prepare extraction snapshot \"extract-312451089-p7E1 sha256:de54312b9680f62201132b07c0dd45d67b9719ff425dfbe682b5d3991cd636ca\": "
                + "parent snapshot sha256:7be53c0a5525e404a3b1044eba25a329df5a82a65cda3ace1e2c4b6d857caed0 does not exist: not found",
            null,
            []);
        var missingFile = new ImageBuildFailedException("The build of stage builder failed at step 3/5 COPY Gemfile ./ (stage builder): \"/Gemfile\": not found", "COPY Gemfile ./", []);

        Assert.Multiple(() =>
        {
            Assert.That(BuildFailures.IsExportSnapshotCollected(collected), Is.True);
            Assert.That(BuildFailures.IsExportSnapshotCollected(missingFile), Is.False);
        });
    }
}
