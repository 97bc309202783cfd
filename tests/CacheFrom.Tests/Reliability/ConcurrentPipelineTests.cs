using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// Four CI jobs at once, sharing one tarball store and one registry repository (and tag): every
/// build succeeds and the store only ever holds complete, loadable tarballs; the last complete one wins.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class ConcurrentPipelineTests
{
    private const int Jobs = 4;

    [Test]
    [CancelAfter(240_000)]
    public async Task Four_pipelines_sharing_a_store_and_a_repository_all_succeed_and_never_leave_a_torn_tarball(CancellationToken cancellationToken)
    {
        var store = Directory.CreateTempSubdirectory("cachefrom-shared-store-").FullName;
        var repository = TestEnvironment.UniqueRepository("concurrent");
        var samples = Enumerable.Range(0, Jobs).Select(_ => SampleProject.Create(slowSeconds: 1)).ToList();
        var logs = samples.Select(_ => new TestLogger()).ToList();
        try
        {
            // Each job's app differs, so each writes a different tarball and the winner can be told apart.
            foreach (var sample in samples)
                sample.ChangeApp();

            using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var torn = new List<string>();
            var observed = 0;
            var watcher = Task.Run(
                async () =>
                {
                    while (!watching.IsCancellationRequested)
                    {
                        foreach (var tarball in Directory.EnumerateFiles(store, "*.tar", SearchOption.AllDirectories))
                        {
                            try
                            {
                                if (TarballCheck.Problem(tarball) is { } problem)
                                    torn.Add($"{tarball}: {problem}");
                                observed++;
                            }
                            catch (FileNotFoundException)
                            {
                                // Replaced between listing and opening: the rename is what we want to see.
                            }
                        }

                        await Task.Delay(25, CancellationToken.None);
                    }
                },
                CancellationToken.None);

            var runs = samples.Select((sample, i) =>
            {
                var options = PipelineRunner.Options(sample, repository, BuilderKind.BuildKit, CacheMode.Both, tag: "main");
                options.CacheDir = store;
                return Task.Run(() => PipelineRunner.PublishAsync(options, logs[i], cancellationToken), cancellationToken);
            }).ToList();
            var records = await Task.WhenAll(runs);
            await watching.CancelAsync();
            await watcher;

            var files = Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(store, f)).ToList();
            TestContext.Progress.WriteLine("store: " + string.Join(", ", files));
            var tarball = Path.Combine(store, files.Single(f => f.EndsWith(".tar", StringComparison.Ordinal)));
            var finalIds = records.Select(r => r.Stages.Single(s => s.IsFinal).ImageId).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(records.SelectMany(r => r.Steps).Where(s => s.Outcome == StepOutcome.Failed), Is.Empty);
                Assert.That(records.Select(r => r.StepOf(PipelineStep.SaveTarball).Outcome).ToList(), Has.Count.EqualTo(Jobs).And.All.EqualTo(StepOutcome.Succeeded));
                Assert.That(records.Select(r => r.StepOf(PipelineStep.PushAll).Outcome).ToList(), Has.Count.EqualTo(Jobs).And.All.EqualTo(StepOutcome.Succeeded));
                Assert.That(torn, Is.Empty, "a reader never saw a torn tarball");
                Assert.That(observed, Is.GreaterThan(0), "the watcher saw the store while the jobs ran");
                Assert.That(Path.GetFileName(tarball), Is.EqualTo("main.tar"));
                Assert.That(files.Where(f => f.Contains(".partial", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty, "no partial files left");
                Assert.That(TarballCheck.Problem(tarball), Is.Null);
            });

            // Loadable, and it is one job's complete save: its final image is one that a job built.
            await EngineReset.EmptyAsync();
            var loaded = await DockerCli.CheckAsync("load", "-i", tarball);
            var loadedId = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{.Id}}", repository + ":main")).Trim();
            TestContext.Progress.WriteLine(loaded);
            Assert.That(finalIds, Does.Contain(loadedId));
            Assert.That(await RegistryApi.TagExistsAsync(repository, "main"), Is.True);
        }
        finally
        {
            foreach (var sample in samples)
                sample.Dispose();
            Directory.Delete(store, recursive: true);
        }
    }
}
