using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Tests.Support;

/// <summary>
/// What docs/engines.md measured: on the containerd image store the engine cannot restore a classic
/// builder's cached step that adds no layer, so the pipeline builds cold there and says so once. A
/// test that expects a classic cache hit asserts this instead on such an engine, never nothing.
/// </summary>
internal static class ClassicCacheOnContainerdStore
{
    /// <summary>True for the classic builder on an engine with the containerd image store: no cache hit is possible there.</summary>
    public static async Task<bool> AppliesAsync(BuilderKind builder) =>
        builder == BuilderKind.Classic && await DockerCli.UsesContainerdStoreAsync();

    /// <summary>
    /// The warm run found its cache, the engine could not use it: one warning that names the mode that
    /// works, the builder stage's <paramref name="runs"/> RUN steps built again, and the build succeeded.
    /// </summary>
    public static void AssertBuiltColdWithOneWarning(RunRecord warm, TestLogger warmLog, int runs = 2)
    {
        Assert.Multiple(() =>
        {
            Assert.That(warm.Stages.Single(s => s.Name == "builder").Candidates.Where(c => c.Exists).ToList(), Has.Count.EqualTo(1), "the cache was found");
            Assert.That(warmLog.Warnings.Where(w => w.Contains("containerd image store", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1)
                .And.All.Contain("docker-builder buildkit"), "one message says which mode works");
            Assert.That(warm.Runs("builder"), Has.Count.EqualTo(runs).And.All.Matches<InstructionRecord>(i => !i.Cached), "this engine cannot use a classic cache");
            Assert.That(warm.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded), "the build still succeeds");
        });
    }
}
