using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Dockerfiles;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Dockerfiles;

/// <summary>The parser's instruction text against the names BuildKit gives the steps on a real engine.</summary>
[Category("Docker")]
public sealed class DockerfileStepTextEngineTests
{
    [Test]
    public async Task Each_step_is_named_as_the_parser_writes_the_instruction_once_args_are_substituted()
    {
        // Lower-case keywords, runs of spaces, a continuation with a comment inside it, flags, CRLF.
        var dockerfile = string.Join("\r\n",
            "# no syntax directive: the engine's own Dockerfile frontend",
            "from BASE   as   Builder",
            "ARG GREETING=hello",
            "ENV TARGET=world",
            "run   echo   a \\",
            "# a comment inside the continuation",
            "    &&  echo \"b   c\"",
            "RUN echo $GREETING ${TARGET} '$TARGET'",
            "copy  --chmod=644   Dockerfile   /copied",
            "FROM builder",
            "WORKDIR /w/sub",
            "COPY --from=0 /copied /again",
            "");
        using var context = new TemporaryContext(dockerfile);
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var result = await engine.BuildAsHostsDoAsync(new ImageBuildRequest
        {
            ContextDirectory = context.Directory,
            DockerfilePath = context.DockerfilePath,
            Tags = [TestEnvironment.UniqueLocalRepository("steptext") + ":x"],
            Builder = BuilderKind.BuildKit,
            DisplayName = "test image",
        }, log);

        var parsed = DockerfileParser.Parse(context.DockerfilePath);
        var scope = new Dictionary<string, string> { ["GREETING"] = "hello", ["TARGET"] = "world" };
        var expected = parsed.Stages
            .SelectMany(stage => stage.Instructions.Skip(1)
                .Where(i => i.Keyword is "RUN" or "COPY" or "WORKDIR")
                .Select(i => (stage.Label, DockerfileSubstitution.Expand(i.Text, scope, parsed.EscapeCharacter, removeQuotes: false).Value)))
            .ToList();
        var named = result.Instructions.Where(i => !i.Text.StartsWith("FROM ", StringComparison.Ordinal)).Select(i => (i.Stage, i.Text)).ToList();

        TestContext.Out.WriteLine(string.Join(Environment.NewLine, named));
        Assert.That(named, Has.Count.EqualTo(5));
        Assert.That(named, Is.EqualTo(expected));
    }
}
