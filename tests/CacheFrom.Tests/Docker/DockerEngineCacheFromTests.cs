using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.References;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Docker;

/// <summary>
/// cache-from through the build API (Enhanced still sends a list as repeated values, which the
/// engine rejects; the engine gets one JSON array instead).
/// </summary>
[Category("Docker")]
public class DockerEngineCacheFromTests
{
    [Test]
    public async Task On_an_empty_engine_buildkit_reuses_a_pushed_inline_cache_without_pulling_it()
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 1);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var cache = ImageReference.Parse(TestEnvironment.UniqueRepository("inline"), "builder");
        await engine.BuildAsHostsDoAsync(Request(sample, BuilderKind.BuildKit, cache.ToString(), []), log);
        await engine.PushAsync(cache, credentials: null);
        await EngineReset.EmptyAsync();

        var rebuilt = await engine.BuildAsHostsDoAsync(Request(sample, BuilderKind.BuildKit, TestEnvironment.UniqueLocalRepository("rebuilt") + ":x", [cache.ToString()]), log);

        Assert.That(Runs(rebuilt), Has.Count.EqualTo(2).And.All.Matches<BuildInstruction>(i => i.Cached));
        Assert.That(await DockerCli.ImageExistsAsync(cache.ToString()), Is.False, "BuildKit fetched only the layers, not the image");
    }

    /// <summary>
    /// On the containerd image store the engine itself cannot restore the sample's cached <c>ARG</c>
    /// step (docs/engines.md): there the build fails in a way the pipeline recognises as an unusable
    /// cache, and the pipeline then builds cold (EngineMatrixTests).
    /// </summary>
    [Test]
    public async Task On_an_empty_engine_the_classic_builder_reuses_a_pulled_cache_image()
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 1);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var cache = ImageReference.Parse(TestEnvironment.UniqueRepository("classic"), "builder");
        await engine.BuildAsHostsDoAsync(Request(sample, BuilderKind.Classic, cache.ToString(), []), log);
        await engine.PushAsync(cache, credentials: null);
        await EngineReset.EmptyAsync();
        await engine.PullAsync(cache, credentials: null);
        var rebuild = Request(sample, BuilderKind.Classic, TestEnvironment.UniqueLocalRepository("rebuilt") + ":x", [cache.ToString()]);

        if (await DockerCli.UsesContainerdStoreAsync())
        {
            var refused = Assert.ThrowsAsync<ImageBuildFailedException>(() => engine.BuildAsHostsDoAsync(rebuild, log));
            Assert.That(BuildFailures.IsCachedStepUnrestorable(refused!), Is.True, refused!.Message);
        }
        else
        {
            var rebuilt = await engine.BuildAsHostsDoAsync(rebuild, log);
            Assert.That(Runs(rebuilt), Has.Count.EqualTo(2).And.All.Matches<BuildInstruction>(i => i.Cached));
        }
    }

    // The sample's builder stage has two RUN steps; both must be there for "all cached" to mean anything.
    private static List<BuildInstruction> Runs(ImageBuildResult result) =>
        result.Instructions.Where(i => i.Text.StartsWith("RUN", StringComparison.Ordinal)).ToList();

    private static ImageBuildRequest Request(SampleProject sample, BuilderKind builder, string tag, IReadOnlyList<string> cacheFrom) => new()
    {
        ContextDirectory = sample.Directory,
        DockerfilePath = sample.DockerfilePath,
        Target = "builder",
        Tags = [tag],
        CacheFrom = cacheFrom,
        Builder = builder,
        DisplayName = "stage builder",
    };
}
