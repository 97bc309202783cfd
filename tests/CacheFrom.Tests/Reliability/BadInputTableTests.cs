using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Resilience;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Bad input, one row each: every row ends in one clear message. Parameter and Dockerfile-structure
/// problems are found before the engine is asked (the endpoint is a dead socket, so a row that
/// touched Docker would fail differently); what only the builder can know fails at the start of the
/// build, naming the culprit.
/// </summary>
[NonParallelizable]
public sealed class BadInputTableTests
{
    private const string NoEngine = "unix:///tmp/cachefrom-bad-input-no-engine.sock";

    public static IEnumerable<TestCaseData> BeforeDocker()
    {
        static TestCaseData Row(string name, Action<CacheFromOptions, SampleProject> arrange, params string[] expected) =>
            new TestCaseData(arrange, expected).SetName("Before Docker: " + name);

        yield return Row("an image with upper case letters", (o, _) => o.Image = "Registry.Example.com/Team/App", "docker-image", "not a valid repository name");
        yield return Row("an image that holds a tag", (o, _) => o.Image = "127.0.0.1:5000/app:v1", "docker-image", "holds a tag");
        yield return Row("an image that holds a digest", (o, _) => o.Image = "app@sha256:abc", "docker-image", "holds a digest");
        yield return Row("no image", (o, _) => o.Image = "", "docker-image is required");
        yield return Row("a blank image", (o, _) => o.Image = " ", "docker-image is required");
        yield return Row("a tag with a leading dash", (o, _) => o.Tag = "-feature", "docker-tag", "-feature");
        yield return Row("a tag with a space", (o, _) => o.Tag = "my feature", "docker-tag", "my feature");
        yield return Row("a tag longer than 128 characters", (o, _) => o.Tag = new string('a', 129), "docker-tag");
        yield return Row("a tag with the stage marker", (o, _) => o.Tag = "main--builder", "docker-tag", "marks stage images");
        yield return Row("an invalid fallback tag", (o, _) => o.CacheFallback = ["main", "bad tag"], "docker-cache-fallback", "bad tag");
        yield return Row("a build argument without a name", (o, _) => o.BuildArgs["A=B"] = "c", "docker-build-args", "A=B");
        yield return Row("a missing context", (o, s) => o.Context = Path.Combine(s.Directory, "nope"), "docker-context", "does not exist");
        yield return Row("a missing Dockerfile", (o, _) => o.DockerFile = "nope.Dockerfile", "docker-file", "nope.Dockerfile", "does not exist");
        yield return Row("a missing secret file", (o, _) => o.Secrets = [new BuildSecret("token", BuildSecretSource.File, "no-such-token.txt")], "docker-secrets", "no-such-token.txt");
        yield return Row("negative retries", (o, _) => o.Retry = new RetryOptions { MaxRetryAttempts = -1 }, "MaxRetryAttempts");
        yield return Row("a Dockerfile without FROM", (_, s) => s.Edit("Dockerfile", _ => "RUN true\n"), "before the first FROM");
        yield return Row("an empty Dockerfile", (_, s) => s.Edit("Dockerfile", _ => "# nothing\n"), "no FROM instruction");
        yield return Row("a stage name used twice", (_, s) => s.Edit("Dockerfile", t => t.Replace("FROM ${BASE_IMAGE}\nWORKDIR /app", "FROM ${BASE_IMAGE} AS builder\nWORKDIR /app", StringComparison.Ordinal)), "stage name 'builder' is used twice");
        yield return Row("an invalid stage name", (_, s) => s.Edit("Dockerfile", t => t.Replace("AS builder", "AS 1builder", StringComparison.Ordinal)), "'1builder' is not a valid stage name");
        yield return Row("a malformed FROM", (_, s) => s.Edit("Dockerfile", t => t.Replace("FROM ${BASE_IMAGE} AS builder", "FROM ${BASE_IMAGE} AS", StringComparison.Ordinal)), "is not 'FROM image [AS name]'");
        yield return Row("several problems at once", (o, _) => { o.Tag = "-x"; o.DockerFile = "nope.Dockerfile"; }, "docker-tag", "docker-file");
    }

    [TestCaseSource(nameof(BeforeDocker))]
    [CancelAfter(20_000)]
    public void Bad_input_fails_with_one_clear_message_before_docker_is_touched(object arrangement, string[] expected, CancellationToken cancellationToken)
    {
        // object: the test support types are internal and a public test method cannot name them.
        var arrange = (Action<CacheFromOptions, SampleProject>)arrangement;
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/cachefrom-tests/bad-input", BuilderKind.BuildKit, CacheMode.Registry);
        options.DockerHost = NoEngine;
        arrange(options, sample);

        var exception = Assert.ThrowsAsync<CacheFromConfigurationException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger, cancellationToken: cancellationToken));

        TestContext.Out.WriteLine(exception!.Message);
        foreach (var text in expected)
            Assert.That(exception.Message, Does.Contain(text));
    }

    public static IEnumerable<TestCaseData> AtBuildStart()
    {
        foreach (var builder in new[] { BuilderKind.BuildKit, BuilderKind.Classic })
        {
            yield return new TestCaseData(builder, "RUN echo \"installing system packages\"", "RUNN echo \"installing system packages\"", "RUNN")
                .SetName($"At build start ({builder}): an unknown instruction");
            yield return new TestCaseData(builder, "COPY --from=builder", "COPY --from=bulder", "bulder")
                .SetName($"At build start ({builder}): an unknown stage in COPY --from");
            yield return new TestCaseData(builder, "FROM ${BASE_IMAGE}\nWORKDIR /app", $"FROM {TestEnvironment.Registry}/cachefrom-tests/no-such-base:1\nWORKDIR /app", "base image")
                .SetName($"At build start ({builder}): a missing base image");
        }
    }

    [TestCaseSource(nameof(AtBuildStart))]
    [Category("Docker")]
    [CancelAfter(60_000)]
    public async Task A_Dockerfile_only_the_builder_can_judge_fails_at_the_start_of_the_build_naming_the_culprit(
        BuilderKind builder, string find, string replace, string expected, CancellationToken cancellationToken)
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        sample.Edit("Dockerfile", text =>
        {
            Assert.That(text, Does.Contain(find), "the sample changed; update this row");
            return text.Replace(find, replace, StringComparison.Ordinal);
        });
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("bad-dockerfile"), builder, CacheMode.None);
        var clock = Stopwatch.StartNew();

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() => PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken));

        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {exception!.Message}");
        Assert.That(exception.Message, Does.Contain(expected));
        await Task.CompletedTask;
    }
}
