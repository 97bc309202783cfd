using System.Text.Json;
using CacheFrom.Configuration;
using CacheFrom.Distribution;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.History;
using CacheFrom.References;
using CacheFrom.Resilience;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reporting;

/// <summary>History that travels in the registry as a small OCI artifact: written by one runner, read back by a fresh one, never pulled.</summary>
[Category("Docker")]
public sealed class RegistryHistoryTests
{
    [Test]
    public async Task A_written_history_is_read_back_from_the_registry_without_pulling_anything()
    {
        using var project = SampleProject.Create();
        var settings = Settings(project, TestEnvironment.UniqueRepository("history"), "feature-x");
        var log = new TestLogger();
        var store = new CacheHistoryStore(log.Logger);
        var written = CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12));
        using (var registry = Client(log))
            await store.WriteAsync(settings, registry, written);

        CacheHistory read;
        using (var registry = Client(log))
            read = await store.ReadAsync(settings, registry);
        var manifest = await RegistryApi.ManifestAsync(settings.Image.Repository, "feature-x--cachefrom-history");

        Assert.Multiple(async () =>
        {
            Assert.That(read.ToJson(), Is.EqualTo(written.ToJson()));
            Assert.That(log.Warnings, Is.Empty);
            Assert.That(await DockerCli.ImageExistsAsync(settings.Image.Repository + ":feature-x--cachefrom-history"), Is.False, "nothing pulled into the engine");
            Assert.That(manifest, Is.Not.Null);
            Assert.That(manifest!.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            using var document = JsonDocument.Parse(manifest.Body);
            Assert.That(document.RootElement.GetProperty("artifactType").GetString(), Is.EqualTo("application/vnd.cachefrom.history.v1+json"));
            Assert.That(document.RootElement.GetProperty("config").GetProperty("mediaType").GetString(), Is.EqualTo(MediaTypes.OciEmpty));
            Assert.That(document.RootElement.GetProperty("layers").GetArrayLength(), Is.EqualTo(1));
            Assert.That(document.RootElement.GetProperty("annotations").GetProperty("org.opencontainers.image.created").GetString(), Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task A_new_branch_reads_the_history_of_its_fallback_tag()
    {
        using var project = SampleProject.Create();
        var repository = TestEnvironment.UniqueRepository("history-fallback");
        var log = new TestLogger();
        var store = new CacheHistoryStore(log.Logger);
        using var registry = Client(log);
        await store.WriteAsync(Settings(project, repository, "main"), registry, CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)));

        var read = await store.ReadAsync(Settings(project, repository, "feature-new"), registry);

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.EqualTo(3));
        });
        // Only main's history exists, so what was read is main's.
        Assert.That(await RegistryApi.TagExistsAsync(repository, "main--cachefrom-history"), Is.True);
        Assert.That(await RegistryApi.TagExistsAsync(repository, "feature-new--cachefrom-history"), Is.False);
    }

    [Test]
    public async Task No_history_anywhere_is_unknown_without_a_warning()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        using var registry = Client(log);

        var repository = TestEnvironment.UniqueRepository("history-none");

        var read = await new CacheHistoryStore(log.Logger).ReadAsync(Settings(project, repository, "main"), registry);

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.Zero);
            Assert.That(log.Warnings, Is.Empty, "no history is not a problem worth a warning");
        });
        Assert.That(await RegistryApi.TagExistsAsync(repository, "main--cachefrom-history"), Is.False, "reading created nothing");
    }

    [Test]
    public async Task A_registry_that_is_down_is_a_warning_and_unknown_never_a_failure()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        // Retries run on an instant clock: the test sees the whole retry path without waiting for it.
        using var registry = new RegistryClient(new RetryOptions(), new InstantTimeProvider(), log.Logger);
        // Nothing listens on port 1: the connection is refused the way a dead registry refuses it.
        var settings = Settings(project, "127.0.0.1:1/cachefrom-tests/history-down", "main");

        var read = await new CacheHistoryStore(log.Logger).ReadAsync(settings, registry);
        await new CacheHistoryStore(log.Logger).WriteAsync(settings, registry, CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)));
        var warnings = log.Warnings.Where(w => !w.Contains("retrying", StringComparison.Ordinal)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.Zero);
            Assert.That(warnings, Has.Count.EqualTo(2));
            Assert.That(warnings[0], Does.Contain("could not be read").And.Contain("connection refused"));
            Assert.That(warnings[1], Does.Contain("could not be pushed").And.Contain("connection refused"));
        });
    }

    [Test]
    public async Task A_registry_that_stops_answering_costs_the_history_at_most_its_bound()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        // Accepts connections and never answers: without the store's own bound, retries of 30 s attempts would go on for minutes.
        await using var proxy = FaultProxy.Start(TestEnvironment.Registry, FaultMode.Stall);
        var options = Options(project, $"{proxy.Address}/cachefrom-tests/history-stalled", "main");
        options.Retry = new RetryOptions { StallTimeout = TimeSpan.FromSeconds(1) };
        var settings = CacheFromSettings.Resolve(options, new Dictionary<string, string?>());
        using var registry = new RegistryClient(settings.Retry, TimeProvider.System, log.Logger);

        var read = await new CacheHistoryStore(log.Logger).ReadAsync(settings, registry);
        await new CacheHistoryStore(log.Logger).WriteAsync(settings, registry, CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)));

        Assert.Multiple(() =>
        {
            Assert.That(read.Count, Is.Zero);
            Assert.That(log.Warnings, Has.Count.EqualTo(2));
            Assert.That(log.Warnings[0], Does.Contain("could not be read").And.Contain("no answer within 1 s"));
            Assert.That(log.Warnings[1], Does.Contain("could not be pushed").And.Contain("no answer within 1 s"));
        });
    }

    [Test]
    public async Task A_history_with_nothing_new_is_not_pushed_again()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        using var registry = Client(log);
        var settings = Settings(project, TestEnvironment.UniqueRepository("history-unchanged"), "main");
        var read = new CacheHistory(CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12)).Entries);

        await new CacheHistoryStore(log.Logger).WriteAsync(settings, registry, read);

        Assert.That(await RegistryApi.TagExistsAsync(settings.Image.Repository, "main--cachefrom-history"), Is.False);
    }

    [Test]
    public async Task History_travels_through_a_registry_that_needs_credentials()
    {
        await using var authRegistry = await AuthRegistry.StartAsync();
        using var project = SampleProject.Create();
        var log = new TestLogger();
        using var registry = Client(log);
        var options = Options(project, authRegistry.UniqueRepository("history-auth"), "main");
        options.Credentials = authRegistry.Credentials;
        var settings = CacheFromSettings.Resolve(options, new Dictionary<string, string?>());
        var written = CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12));

        await new CacheHistoryStore(log.Logger).WriteAsync(settings, registry, written);
        var read = await new CacheHistoryStore(log.Logger).ReadAsync(settings, registry);

        Assert.Multiple(() =>
        {
            Assert.That(read.ToJson(), Is.EqualTo(written.ToJson()));
            Assert.That(log.Warnings, Is.Empty);
            Assert.That(log.AllText, Does.Not.Contain(authRegistry.Password));
        });
    }

    [Test]
    public async Task A_history_image_pushed_by_an_earlier_version_is_still_read()
    {
        using var project = SampleProject.Create();
        var log = new TestLogger();
        var settings = Settings(project, TestEnvironment.UniqueRepository("history-legacy"), "main");
        var written = CacheHistory.Empty.Merge(CacheHistoryTests.Cold(30, 12));
        var reference = CacheHistoryStore.HistoryReference(settings.Image, "main");
        // What earlier versions pushed: FROM scratch + /history.json, built and pushed by the engine (the classic
        // builder, which builds from a tar body on every engine, the containerd image store included).
        await using (var engine = await DockerEngine.ConnectAsync(null, log.Logger))
        {
            using var context = new TemporaryContext("FROM scratch\nCOPY history.json /history.json\n");
            await File.WriteAllTextAsync(Path.Combine(context.Directory, "history.json"), written.ToJson());
            await engine.BuildAsync(new ImageBuildRequest
            {
                ContextDirectory = context.Directory,
                DockerfilePath = context.DockerfilePath,
                Tags = [reference.ToString()],
                Builder = BuilderKind.Classic,
                DisplayName = "legacy history image",
            });
            await engine.PushAsync(reference, credentials: null);
        }

        using var registry = Client(log);
        var read = await new CacheHistoryStore(log.Logger).ReadAsync(settings, registry);

        Assert.Multiple(() =>
        {
            Assert.That(read.ToJson(), Is.EqualTo(written.ToJson()));
            Assert.That(log.Warnings, Is.Empty);
        });
    }

    private static RegistryClient Client(TestLogger log) => new(new RetryOptions(), TimeProvider.System, log.Logger);

    private static CacheFromOptions Options(SampleProject project, string repository, string tag) => new()
    {
        Image = repository,
        Tag = tag,
        Cache = CacheMode.Registry,
        WorkingDirectory = project.Directory,
    };

    private static CacheFromSettings Settings(SampleProject project, string repository, string tag) =>
        CacheFromSettings.Resolve(Options(project, repository, tag), new Dictionary<string, string?>());
}
