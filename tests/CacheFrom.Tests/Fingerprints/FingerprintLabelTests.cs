using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Docker.Build;
using CacheFrom.Fingerprints;
using CacheFrom.References;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>The fingerprint label rides on the image config only: a new value must not cost a single cache hit, on either builder.</summary>
[Category("Docker")]
public sealed class FingerprintLabelTests
{
    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public async Task A_new_fingerprint_label_keeps_every_step_cached_on_an_emptied_engine(BuilderKind builder)
    {
        var log = new TestLogger();
        using var sample = SampleProject.Create(slowSeconds: 1);
        await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
        var cache = ImageReference.Parse(TestEnvironment.UniqueRepository("label"), "builder");
        var first = await engine.BuildAsync(Request(sample, builder, cache.ToString(), [], "sha256:" + new string('a', 64)));
        await engine.PushAsync(cache, credentials: null);
        await EngineReset.EmptyAsync();
        if (builder == BuilderKind.Classic)
            await engine.PullAsync(cache, credentials: null);

        var rebuiltTag = TestEnvironment.UniqueLocalRepository("relabelled") + ":x";
        var rebuilt = await engine.BuildAsync(Request(sample, builder, rebuiltTag, [cache.ToString()], "sha256:" + new string('b', 64)));

        var runs = rebuilt.Instructions.Where(i => i.Text.StartsWith("RUN", StringComparison.Ordinal)).ToList();
        Assert.That(runs, Has.Count.EqualTo(2));
        Assert.That(runs, Has.All.Matches<BuildInstruction>(i => i.Cached), "a label is not a cache key of any layer");
        Assert.That(rebuilt.Instructions.Select(i => i.Text), Is.EqualTo(first.Instructions.Select(i => i.Text)), "the label adds no step the report would count");
        Assert.That((await DockerCli.CheckAsync("image", "inspect", "--format", "{{index .Config.Labels \"" + FingerprintLabel.Name + "\"}}", rebuiltTag)).Trim(),
            Is.EqualTo("sha256:" + new string('b', 64)));
    }

    private static ImageBuildRequest Request(SampleProject sample, BuilderKind builder, string tag, IReadOnlyList<string> cacheFrom, string fingerprint) => new()
    {
        ContextDirectory = sample.Directory,
        DockerfilePath = sample.DockerfilePath,
        Target = "builder",
        Tags = [tag],
        CacheFrom = cacheFrom,
        Builder = builder,
        Labels = new Dictionary<string, string> { [FingerprintLabel.Name] = fingerprint },
        DisplayName = "stage builder",
    };
}
