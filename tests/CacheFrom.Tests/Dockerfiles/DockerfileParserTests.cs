using CacheFrom.Dockerfiles;

namespace CacheFrom.Tests.Dockerfiles;

public sealed class DockerfileParserTests
{
    [Test]
    public void The_sample_has_one_intermediate_stage_named_builder()
    {
        var dockerfile = DockerfileParser.Parse(Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "webapp", "Dockerfile"));

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.IntermediateStages.Select(s => s.Name), Is.EqualTo(new[] { "builder" }));
            Assert.That(dockerfile.Stages[0].BaseImage, Is.EqualTo("cachefrom/busybox:1.35.0"), "ARG before FROM is substituted");
            Assert.That(dockerfile.FinalStage.Label, Is.EqualTo("stage-1"));
            Assert.That(dockerfile.FinalStage.DependsOn, Is.EqualTo(new[] { "builder" }));
        });
    }

    [Test]
    public void Stages_the_final_image_does_not_use_are_not_intermediate_stages()
    {
        const string text = """
            # syntax=docker/dockerfile:1
            FROM base AS deps
            RUN echo deps
            FROM deps AS builder
            COPY . .
            FROM builder AS test
            RUN make test
            FROM base AS assets
            RUN --mount=type=cache,target=/x echo assets
            FROM base
            COPY --from=builder /out /app
            RUN --mount=type=bind,from=assets,target=/a cp /a/x /app
            """;

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.IntermediateStages.Select(s => s.Name), Is.EqualTo(new[] { "deps", "builder", "assets" }));
    }

    [Test]
    public void Continuations_comments_and_heredocs_do_not_hide_or_invent_stages()
    {
        const string text = """
            ARG IMAGE=busybox
            FROM \
              ${IMAGE} \
              AS Builder
            # FROM fake AS commented
            RUN <<EOF
            FROM not-a-stage AS heredoc
            EOF
            FROM ${MISSING:-busybox}
            COPY --from=builder /a /b
            """;

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile", new Dictionary<string, string> { ["IMAGE"] = "other:1" });

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Stages.Select(s => s.Label), Is.EqualTo(new[] { "builder", "stage-1" }));
            Assert.That(dockerfile.Stages[0].BaseImage, Is.EqualTo("other:1"), "a build arg overrides the ARG default");
            Assert.That(dockerfile.Stages[1].BaseImage, Is.EqualTo("busybox"));
        });
    }

    [TestCase("RUN echo hi", "before the first FROM")]
    [TestCase("", "no FROM instruction")]
    [TestCase("FROM a AS x\nFROM b AS X", "used twice")]
    [TestCase("FROM a AS", "is not 'FROM image [AS name]'")]
    [TestCase("FROM a AS 1bad", "not a valid stage name")]
    public void An_invalid_dockerfile_fails_with_a_message_naming_the_line(string text, string expected)
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText(text, "app/Dockerfile"));

        Assert.That(exception!.Message, Does.Contain(expected).And.Contain("app/Dockerfile:"));
    }
}
