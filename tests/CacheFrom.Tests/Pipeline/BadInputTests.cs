using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

[NonParallelizable]
public sealed class BadInputTests
{
    // A dead engine endpoint proves the errors come before anything touches Docker.
    private const string NoEngine = "unix:///tmp/cachefrom-no-engine.sock";

    [TestCase("Registry.Example.com/Team/App", "not a valid repository name")]
    [TestCase("127.0.0.1:5000/app:v1", "holds a tag")]
    [TestCase("app@sha256:abc", "holds a digest")]
    [TestCase("", "docker-image is required")]
    public void An_invalid_image_fails_before_docker_is_touched(string image, string expected)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, image, BuilderKind.BuildKit, CacheMode.Registry);
        options.DockerHost = NoEngine;

        var exception = Assert.ThrowsAsync<CacheFromConfigurationException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));

        Assert.That(exception!.Message, Does.Contain(expected));
    }

    [TestCase("-leading-dash")]
    [TestCase("has space")]
    [TestCase("main--builder")]
    public void An_invalid_tag_fails_before_docker_is_touched(string tag)
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry, tag: tag);
        options.DockerHost = NoEngine;

        var exception = Assert.ThrowsAsync<CacheFromConfigurationException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));

        Assert.That(exception!.Message, Does.Contain("docker-tag").And.Contain(tag));
    }

    [Test]
    public void A_missing_dockerfile_fails_with_its_path()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry);
        options.DockerFile = "does-not-exist.Dockerfile";
        options.DockerHost = NoEngine;

        var exception = Assert.ThrowsAsync<CacheFromConfigurationException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));

        Assert.That(exception!.Message, Does.Contain("does-not-exist.Dockerfile").And.Contain("does not exist"));
    }

    [Test]
    public void No_engine_ends_in_one_message_that_says_where_it_looked()
    {
        using var sample = SampleProject.Create();
        var options = PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry);
        options.DockerHost = NoEngine;

        var exception = Assert.ThrowsAsync<DockerEngineUnavailableException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));

        Assert.That(exception!.Message, Does.Contain(NoEngine).And.Contain("DOCKER_HOST"));
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [Category("Docker")]
    public async Task A_failing_run_names_the_step_and_shows_its_last_output(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        sample.Edit("Dockerfile", text => text.Replace(
            "RUN echo \"resolving dependencies\"",
            "RUN echo \"doomed-output-line\" && exit 3 && echo \"resolving dependencies\"",
            StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("failing"), builder, CacheMode.None);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() => PipelineRunner.PublishAsync(options, new TestLogger()));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.FailedStep, Does.Contain("doomed-output-line"));
            Assert.That(exception.LastOutput, Has.Some.Contains("doomed-output-line"));
            Assert.That(exception.Message, Does.Contain("exit code").IgnoreCase.Or.Contain("returned a non-zero code"));
        });
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [Category("Docker")]
    public async Task An_unknown_stage_in_copy_from_fails_with_a_message_naming_it(BuilderKind builder)
    {
        using var sample = SampleProject.Create();
        sample.Edit("Dockerfile", text => text.Replace("COPY --from=builder", "COPY --from=bulder", StringComparison.Ordinal));
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("unknown-stage"), builder, CacheMode.None);

        var exception = Assert.ThrowsAsync<ImageBuildFailedException>(() => PipelineRunner.PublishAsync(options, new TestLogger()));

        Assert.That(exception!.Message, Does.Contain("bulder"));
    }
}
