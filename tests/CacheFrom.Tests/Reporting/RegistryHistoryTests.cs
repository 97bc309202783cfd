using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.History;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

/// <summary>History that travels in the registry: pushed by one runner, read back by a fresh one.</summary>
[Category("Docker")]
public sealed class RegistryHistoryTests
{
    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_pushed_history_image_is_read_back_on_an_emptied_engine(BuilderKind builder)
    {
        using var project = SampleProject.Create();
        var settings = Settings(project, TestEnvironment.UniqueRepository("history"), "feature-x", builder);
        var log = new TestLogger();
        var store = new CacheHistoryStore(log.Logger);
        var written = CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12));
        await using (var engine = await DockerEngine.ConnectAsync(null, log.Logger))
            await store.WriteAsync(settings, engine, written);

        await EngineReset.EmptyAsync();
        CacheHistory read;
        await using (var engine = await DockerEngine.ConnectAsync(null, log.Logger))
            read = await store.ReadAsync(settings, engine);

        Assert.Multiple(async () =>
        {
            Assert.That(await DockerCli.ImageExistsAsync(settings.Image.Repository + ":feature-x--cachefrom-history"), Is.True, "pulled back");
            Assert.That(read.ToJson(), Is.EqualTo(written.ToJson()));
            Assert.That(log.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task A_new_branch_reads_the_history_of_its_fallback_tag()
    {
        using var project = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("history-fallback");
        var log = new TestLogger();
        var store = new CacheHistoryStore(log.Logger);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        await store.WriteAsync(Settings(project, repository, "main"), engine, CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)));

        var read = await store.ReadAsync(Settings(project, repository, "feature-new"), engine);

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.EqualTo(3));
            Assert.That(log.Lines, Has.Some.Contains(repository + ":main--cachefrom-history"));
        });
    }

    [Test]
    public async Task No_history_image_anywhere_is_unknown_without_a_warning()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);

        var read = await new CacheHistoryStore(log.Logger).ReadAsync(Settings(project, TestEnvironment.UniqueRepository("history-none"), "main"), engine);

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.Zero);
            Assert.That(log.Warnings, Is.Empty);
            Assert.That(log.Lines, Has.Some.Contains("No cache history yet"));
        });
    }

    [Test]
    public async Task A_registry_that_is_down_is_a_warning_and_unknown_never_a_failure()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        // Nothing listens on port 1: the existence check fails the way a dead registry does.
        var settings = Settings(project, "127.0.0.1:1/cachefrom-tests/history-down", "main");

        var read = await new CacheHistoryStore(log.Logger).ReadAsync(settings, engine);
        await new CacheHistoryStore(log.Logger).WriteAsync(settings, engine, CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)));

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.Zero);
            Assert.That(log.Warnings, Has.Count.EqualTo(2));
            Assert.That(log.Warnings[0], Does.Contain("could not be read"));
            Assert.That(log.Warnings[1], Does.Contain("could not be pushed"));
        });
    }

    [Test]
    public async Task A_history_with_nothing_new_is_not_pushed_again()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var settings = Settings(project, TestEnvironment.UniqueRepository("history-unchanged"), "main");
        var read = new CacheHistory(CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)).Entries);

        await new CacheHistoryStore(log.Logger).WriteAsync(settings, engine, read);

        Assert.That(await DockerCli.ImageExistsAsync(settings.Image.Repository + ":main--cachefrom-history"), Is.False);
    }

    private static CacheFromSettings Settings(SampleProject project, string repository, string tag, BuilderKind builder = BuilderKind.BuildKit) =>
        CacheFromSettings.Resolve(
            new CacheFromOptions
            {
                Image = repository,
                Tag = tag,
                Builder = builder,
                Cache = CacheMode.Registry,
                WorkingDirectory = project.Directory,
            },
            new Dictionary<string, string?>());
}
