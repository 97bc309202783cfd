using CacheFrom.Dockerfiles;

namespace CacheFrom.Tests.Dockerfiles;

/// <summary>
/// Stage detection on Dockerfiles that fooled the first parser: each case is one BuildKit rule
/// (checked against BuildKit's parser and a Docker 26.1 engine), written with the stage API only.
/// </summary>
public sealed class DockerfileStageDetectionTests
{
    private static List<string> Labels(string text, IReadOnlyDictionary<string, string>? buildArgs = null) =>
        DockerfileParser.ParseText(text, "Dockerfile", buildArgs).Stages.Select(s => s.Label).ToList();

    [TestCase("RUN cat <<<EOF", TestName = "A here-string (<<<) opens no heredoc")]
    [TestCase("RUN echo $((1<<BITS))", TestName = "A shift ($((1<<X))) opens no heredoc")]
    [TestCase("RUN echo \"<<EOF\"", TestName = "A quoted <<EOF opens no heredoc")]
    [TestCase("RUN echo x<<EOF", TestName = "A <<EOF inside a word opens no heredoc")]
    public void Text_that_only_looks_like_a_heredoc_hides_no_stage(string run)
    {
        var text = $"FROM base AS builder\n{run}\nFROM base AS second\nRUN echo EOF\nBITS\nFROM base\nCOPY --from=second /x /y\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "second", "stage-2" }));
    }

    [Test]
    public void A_heredoc_ends_only_at_a_line_that_is_exactly_its_terminator()
    {
        const string text = "FROM base AS builder\nRUN <<EOF\n  EOF\nFROM inside AS body\nEOF\nFROM base\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "stage-1" }), "an indented EOF ends only a <<-EOF heredoc");
    }

    [Test]
    public void A_dash_heredoc_ends_at_a_tab_indented_terminator()
    {
        const string text = "FROM base AS builder\nRUN <<-EOF\n\techo hi\n\tEOF\nFROM base\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "stage-1" }));
    }

    [Test]
    public void An_unterminated_heredoc_fails_naming_its_line_instead_of_hiding_the_stages_after_it()
    {
        const string text = "FROM base AS builder\nRUN <<EOF\necho never closed\nFROM base AS hidden\nFROM base\n";

        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText(text, "app/Dockerfile"));

        Assert.That(exception!.Message, Does.Contain("app/Dockerfile:2:").And.Contain("<<EOF").And.Contain("unterminated heredoc"));
    }

    [Test]
    public void An_escape_directive_after_a_comment_is_only_a_comment()
    {
        // BuildKit: directives must come before any comment, empty line or instruction.
        const string text = "# the app\n# escape=`\nFROM base AS builder\nRUN echo `\nFROM base AS second\nFROM base\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "second", "stage-2" }));
    }

    [Test]
    public void An_escape_directive_after_an_empty_line_is_only_a_comment()
    {
        const string text = "\n# escape=`\nFROM base AS builder\nRUN echo `\nFROM base AS second\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "second" }));
    }

    [Test]
    public void An_escape_directive_at_the_top_makes_the_backtick_the_continuation_character()
    {
        const string text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM base AS builder\nRUN echo \\\nFROM base AS second\nRUN echo `\n  FROM not-a-stage AS joined\n";

        Assert.That(Labels(text), Is.EqualTo(new[] { "builder", "second" }));
    }

    [Test]
    public void One_arg_instruction_declares_several_args_with_quoted_defaults()
    {
        const string text = "ARG REGISTRY=registry.example.com IMAGE=\"team/base\" TAG='1.0'\nFROM ${REGISTRY}/${IMAGE}:${TAG}\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.Stages.Single().BaseImage, Is.EqualTo("registry.example.com/team/base:1.0"));
    }

    [TestCase("ARG IMG\nFROM ${IMG-busybox}", null, "busybox", TestName = "${X-d} takes the default when X is unset")]
    [TestCase("ARG IMG=\nFROM ${IMG-busybox}x", null, "x", TestName = "${X-d} keeps an empty X")]
    [TestCase("ARG IMG=\nFROM ${IMG:-busybox}", null, "busybox", TestName = "${X:-d} takes the default when X is empty")]
    [TestCase("ARG TAG=1\nFROM busybox${TAG:+:$TAG}", null, "busybox:1", TestName = "${X:+a} takes the alternative when X is set")]
    [TestCase("ARG TAG\nFROM busybox${TAG+:x}", null, "busybox", TestName = "${X+a} is empty when X is unset")]
    [TestCase("ARG IMG=busybox\nFROM $IMG", "other", "other", TestName = "A build arg overrides the ARG default")]
    [TestCase("FROM ${UNDECLARED:-busybox}", "other", "busybox", TestName = "A build arg reaches no undeclared ARG")]
    [TestCase("ARG A=busy B=${A}box\nFROM $B", null, "busybox", TestName = "An ARG default can use an earlier ARG")]
    public void Args_in_from_are_substituted_as_buildkit_does(string text, string? buildArg, string expected)
    {
        var buildArgs = buildArg is null ? null : new Dictionary<string, string> { ["IMG"] = buildArg, ["UNDECLARED"] = buildArg };

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile", buildArgs);

        Assert.That(dockerfile.Stages.Single().BaseImage, Is.EqualTo(expected));
    }

    [Test]
    public void A_from_that_names_no_image_after_substitution_fails_naming_the_arg()
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText("ARG BASE\nFROM ${BASE}\n", "app/Dockerfile"));

        Assert.That(exception!.Message, Does.Contain("app/Dockerfile:2:").And.Contain("BASE"));
    }

    [Test]
    public void Lowercase_keywords_platform_flags_and_a_base_that_names_an_earlier_stage_are_read()
    {
        const string text = """
            arg PLATFORM=linux/amd64
            from --platform=$PLATFORM busybox as Deps
            run echo deps
            FROM --platform=${PLATFORM} deps AS builder
            FROM scratch
            copy --from=builder /out /app
            """;

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Stages.Select(s => s.Label), Is.EqualTo(new[] { "deps", "builder", "stage-2" }));
            Assert.That(dockerfile.Stages.Select(s => s.BaseImage), Is.EqualTo(new[] { "busybox", "deps", "scratch" }));
            Assert.That(dockerfile.Stages[1].DependsOn, Is.EqualTo(new[] { "deps" }));
            Assert.That(dockerfile.IntermediateStages.Select(s => s.Name), Is.EqualTo(new[] { "deps", "builder" }));
        });
    }

    [Test]
    public void Copy_from_a_stage_index_uses_that_stage()
    {
        const string text = "FROM base\nRUN make\nFROM base AS tools\nFROM base\nCOPY --from=0 /out /app\nCOPY --from=1 /t /t\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.FinalStage.DependsOn, Is.EqualTo(new[] { "stage-0", "tools" }));
    }

    [Test]
    public void Copy_from_a_later_stage_is_a_dependency_as_buildkit_allows()
    {
        const string text = "FROM base AS app\nCOPY --from=assets /a /a\nFROM base AS assets\nRUN make\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.Stages[0].DependsOn, Is.EqualTo(new[] { "assets" }));
    }

    [Test]
    public void A_from_flag_inside_a_run_command_is_not_a_dependency()
    {
        const string text = "FROM base AS builder\nFROM base\nRUN ./migrate --from=builder --to=app\nRUN --mount=type=cache,target=/from=builder true\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.FinalStage.DependsOn, Is.Empty);
    }

    [Test]
    public void A_run_mount_from_a_stage_is_a_dependency()
    {
        const string text = "FROM base AS assets\nFROM base\nRUN --mount=type=bind,from=assets,target=/a cp /a/x /x\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.That(dockerfile.FinalStage.DependsOn, Is.EqualTo(new[] { "assets" }));
    }

    [Test]
    public void Crlf_line_endings_read_like_lf()
    {
        const string text = "# escape=\\\r\nARG IMG=busybox\r\nFROM $IMG AS builder\r\nRUN echo a \\\r\n  && echo b\r\nRUN <<EOF\r\nFROM hidden AS heredoc\r\nEOF\r\nFROM builder\r\n";

        var dockerfile = DockerfileParser.ParseText(text, "Dockerfile");

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Stages.Select(s => s.Label), Is.EqualTo(new[] { "builder", "stage-1" }));
            Assert.That(dockerfile.Stages[0].BaseImage, Is.EqualTo("busybox"));
            Assert.That(dockerfile.Stages[1].DependsOn, Is.EqualTo(new[] { "builder" }));
        });
    }

    [Test]
    public void A_stage_that_copies_from_itself_fails_as_a_circular_dependency()
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText("FROM base AS a\nCOPY --from=a /x /y\n", "Dockerfile"));

        Assert.That(exception!.Message, Does.Contain("Dockerfile:2:").And.Contain("circular"));
    }

    [Test]
    public void Stages_that_copy_from_each_other_fail_as_a_circular_dependency()
    {
        const string text = "FROM base AS a\nCOPY --from=b /x /y\nFROM base AS b\nCOPY --from=a /x /y\n";

        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText(text, "Dockerfile"));

        Assert.That(exception!.Message, Does.Contain("circular"));
    }
}
