using CacheFrom.Dockerfiles;

namespace CacheFrom.Tests.Dockerfiles;

/// <summary>The instructions, directives and global ARGs the parser keeps, for lint and fingerprints.</summary>
public sealed class DockerfileInstructionTests
{
    private const string Sample = """
        # syntax=docker/dockerfile:1
        # check=skip=JSONArgsRecommended
        ARG BASE=busybox VERSION="1.36"
        # a comment

        ARG UNSET
        FROM --platform=$BUILDPLATFORM ${BASE}:${VERSION} AS builder
        RUN --mount=type=cache,target=/root/.cache \
            --network=none \
            make   all \
        # a comment inside the continuation
            && make install
        COPY --chmod=644 --link <<-EOF /etc/motd
        	hello $USER
        	EOF
        RUN <<'ONE' cat - <<TWO
        one
        ONE
        two
        TWO
        FROM scratch
        COPY --from=builder /out /app
        """;

    private static Dockerfile Parse(string text = Sample) => DockerfileParser.ParseText(text, "Dockerfile");

    [Test]
    public void Each_stage_keeps_its_instructions_in_order_from_first()
    {
        var dockerfile = Parse();

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Stages[0].Instructions.Select(i => i.Keyword), Is.EqualTo(new[] { "FROM", "RUN", "COPY", "RUN" }));
            Assert.That(dockerfile.Stages[1].Instructions.Select(i => i.Keyword), Is.EqualTo(new[] { "FROM", "COPY" }));
            Assert.That(dockerfile.Stages[0].From.Line, Is.EqualTo(7));
            Assert.That(dockerfile.Stages[1].Line, Is.EqualTo(21));
        });
    }

    [Test]
    public void An_instruction_knows_its_lines_flags_arguments_and_step_text()
    {
        var run = Parse().Stages[0].Instructions[1];

        Assert.Multiple(() =>
        {
            Assert.That((run.Line, run.EndLine), Is.EqualTo((8, 12)));
            Assert.That(run.Flags, Is.EqualTo(new[] { "--mount=type=cache,target=/root/.cache", "--network=none" }));
            Assert.That(run.Flag("network"), Is.EqualTo("none"));
            Assert.That(run.FlagValues("mount"), Is.EqualTo(new[] { "type=cache,target=/root/.cache" }));
            Assert.That(run.Arguments, Is.EqualTo("make   all     && make install"));
            // BuildKit's step name: continuations joined, whitespace kept (seen on Docker 20.10 and 26.1).
            Assert.That(run.Text, Is.EqualTo("RUN --mount=type=cache,target=/root/.cache     --network=none     make   all     && make install"));
        });
    }

    [Test]
    public void Flags_and_arguments_are_kept_as_written_without_substitution()
    {
        var from = Parse().Stages[0].From;

        Assert.Multiple(() =>
        {
            Assert.That(from.Flags, Is.EqualTo(new[] { "--platform=$BUILDPLATFORM" }));
            Assert.That(from.Arguments, Is.EqualTo("${BASE}:${VERSION} AS builder"));
            Assert.That(Parse().Stages[0].BaseImage, Is.EqualTo("busybox:1.36"));
        });
    }

    [Test]
    public void Heredocs_keep_their_name_body_and_kind()
    {
        var stage = Parse().Stages[0];
        var copy = stage.Instructions[2];
        var run = stage.Instructions[3];

        Assert.Multiple(() =>
        {
            Assert.That(copy.Text, Is.EqualTo("COPY --chmod=644 --link <<-EOF /etc/motd"));
            Assert.That(copy.Flag("chmod"), Is.EqualTo("644"));
            Assert.That(copy.Heredocs.Select(h => (h.Name, h.Body, h.RemovesLeadingTabs, h.Expands)), Is.EqualTo(new[] { ("EOF", "\thello $USER\n", true, true) }));
            Assert.That((copy.Line, copy.EndLine), Is.EqualTo((13, 15)));
            Assert.That(run.Heredocs.Select(h => (h.Name, h.Body, h.RemovesLeadingTabs, h.Expands)), Is.EqualTo(new[] { ("ONE", "one\n", false, false), ("TWO", "two\n", false, true) }));
            Assert.That((run.Line, run.EndLine), Is.EqualTo((16, 20)));
        });
    }

    [Test]
    public void A_json_form_run_has_no_heredoc()
    {
        var run = Parse("FROM base\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nFROM base AS next\n").Stages[0].Instructions[1];

        Assert.That(run.Heredocs, Is.Empty);
    }

    [Test]
    public void The_directives_at_the_top_are_kept_with_their_values()
    {
        var dockerfile = Parse();

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Directives.Select(d => (d.Name, d.Value, d.Line)), Is.EqualTo(new[] { ("syntax", "docker/dockerfile:1", 1), ("check", "skip=JSONArgsRecommended", 2) }));
            Assert.That(dockerfile.Directive("syntax"), Is.EqualTo("docker/dockerfile:1"));
            Assert.That(dockerfile.Directive("escape"), Is.Null);
            Assert.That(dockerfile.EscapeCharacter, Is.EqualTo('\\'));
        });
    }

    [Test]
    public void Global_args_are_the_arg_instructions_before_the_first_from()
    {
        var dockerfile = Parse();

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.GlobalArgs.Select(a => a.Line), Is.EqualTo(new[] { 3, 6 }));
            Assert.That(dockerfile.GlobalArgs.SelectMany(a => a.Args).Select(a => (a.Name, a.Default)), Is.EqualTo(new[] { ("BASE", "busybox"), ("VERSION", "\"1.36\""), ("UNSET", (string?)null) }));
            Assert.That(dockerfile.GlobalScope, Is.EqualTo(new Dictionary<string, string> { ["BASE"] = "busybox", ["VERSION"] = "1.36" }), "an ARG with no value is unset");
        });
    }

    [Test]
    public void A_backtick_escape_directive_changes_continuations()
    {
        var dockerfile = Parse("# escape=`\nFROM base\nRUN dir C:\\ `\n  && echo done\n");

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.EscapeCharacter, Is.EqualTo('`'));
            Assert.That(dockerfile.FinalStage.Instructions[1].Arguments, Is.EqualTo("dir C:\\   && echo done"));
        });
    }

    [TestCase("# escape=`\n# escape=\\\nFROM a", "second '# escape=' parser directive")]
    [TestCase("# escape=x\nFROM a", "not a valid escape character")]
    public void A_bad_directive_fails_naming_its_line(string text, string expected)
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerfileParser.ParseText(text, "app/Dockerfile"));

        Assert.That(exception!.Message, Does.Contain(expected).And.Contain("app/Dockerfile:"));
    }
}
