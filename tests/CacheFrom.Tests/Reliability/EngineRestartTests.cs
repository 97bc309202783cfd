using System.Diagnostics;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>
/// A real engine crash: the test starts an engine of its own (scripts/engines.sh, the same kind as
/// the one the suite runs on), kills its dockerd by pid while a RUN step executes, and restarts it.
/// The engine the rest of the suite shares is never touched.
/// </summary>
[TestFixture]
[Category("Docker")]
[Category("Slow")]
[NonParallelizable]
public sealed class EngineRestartTests
{
    private const string Tag = "restart";

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    [CancelAfter(600_000)]
    public async Task Given_a_saved_tarball_When_the_engine_is_killed_mid_build_and_restarted_Then_the_run_fails_with_one_message_the_store_is_intact_and_the_next_run_succeeds(
        BuilderKind builder, CancellationToken cancellationToken)
    {
        await using var engine = await PrivateEngine.StartAsync(TestEnvironment.EngineName, cancellationToken);
        using var sample = SampleProject.Create(slowSeconds: 1);
        var options = PipelineRunner.Options(sample, TestEnvironment.UniqueLocalRepository("restart"), builder, CacheMode.Tarball, Tag);
        options.DockerHost = engine.Host;
        var store = options.CacheDir!;
        try
        {
            // A previous CI run left its tarball in the store.
            var saved = await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);
            Assert.That(saved.StepOf(PipelineStep.SaveTarball).Outcome, Is.EqualTo(StepOutcome.Succeeded), "the first run saves the tarball");
            var tarball = Path.Combine(store, TarballStore.RepositoryFolder(ImageReference.Parse(options.Image!, Tag)), Tag + ".tar");
            var storeBefore = Snapshot(store);
            Assert.That(storeBefore.Keys, Has.Member(Path.GetRelativePath(store, tarball)));

            // This run's first RUN step sleeps long enough to be killed in the middle of it.
            sample.Edit("Dockerfile", text => text.Replace("ARG SLOW_SECONDS=1", "ARG SLOW_SECONDS=120", StringComparison.Ordinal));
            var log = new TestLogger();
            var run = PipelineRunner.PublishAsync(options, log, cancellationToken);
            await UntilAsync(() => RunStepPrinted(log) || run.IsCompleted, cancellationToken);
            Assert.That(run.IsCompleted, Is.False, "the run was still building when the engine was killed:" + Environment.NewLine + log.AllText);
            var pid = await engine.KillAsync(cancellationToken);
            var clock = Stopwatch.StartNew();
            var exception = Assert.CatchAsync<CacheFromException>(() => run);
            TestContext.Progress.WriteLine($"dockerd {pid} killed; the run ended {clock.Elapsed.TotalSeconds:0.0} s later: {exception?.GetType().Name}: {exception?.Message}");

            await engine.RestartAsync(cancellationToken);
            var storeAfter = Snapshot(store);
            var loaded = await engine.CheckAsync("load", "-i", tarball);

            Assert.Multiple(() =>
            {
                Assert.That(exception, Is.InstanceOf<DockerEngineUnavailableException>(), exception?.ToString());
                Assert.That(exception!.Message, Does.Contain(engine.Host).And.Contain("stopped answering"), "one message: which engine went away, and when");
                Assert.That(exception.Message, Does.Not.Contain(Environment.NewLine).And.Not.Contain("   at "), "a sentence, not a stack trace");
                Assert.That(log.Lines.Count(l => l.StartsWith("[ERR]", StringComparison.Ordinal) || l.StartsWith("[FTL]", StringComparison.Ordinal)), Is.LessThanOrEqualTo(1),
                    "the failure is told once:" + Environment.NewLine + string.Join(Environment.NewLine, log.Lines.Where(l => l.StartsWith("[ERR]", StringComparison.Ordinal))));
                Assert.That(storeAfter, Is.EquivalentTo(storeBefore), "the store keeps every file, byte for byte, and gains none (nothing set aside as corrupt)");
                Assert.That(TarballCheck.Problem(tarball), Is.Null, "the saved tarball reads to its end");
                Assert.That(loaded, Does.Contain($"{options.Image}:{Tag}"), "the restarted engine loads the saved tarball");
            });

            sample.Edit("Dockerfile", text => text.Replace("ARG SLOW_SECONDS=120", "ARG SLOW_SECONDS=1", StringComparison.Ordinal));
            var next = await PipelineRunner.PublishAsync(options, new TestLogger(), cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(next.StepOf(PipelineStep.BuildFinalStage).Outcome, Is.EqualTo(StepOutcome.Succeeded), "the engine is back; so is the pipeline");
                Assert.That(next.StepOf(PipelineStep.SaveTarball).Outcome, Is.EqualTo(StepOutcome.Succeeded));
                Assert.That(TarballCheck.Problem(tarball), Is.Null);
            });
        }
        finally
        {
            if (Directory.Exists(store))
                Directory.Delete(store, recursive: true);
        }
    }

    // The RUN step's own output (not the instruction's text, which the classic builder also logs): the step is executing.
    private static bool RunStepPrinted(TestLogger log) =>
        log.Lines.Any(l => l.Contains("installing system packages", StringComparison.Ordinal) && !l.Contains("RUN", StringComparison.Ordinal));

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
            await Task.Delay(50, cancellationToken);
    }

    /// <summary>Every file of the store, by relative path, with its SHA-256.</summary>
    private static Dictionary<string, string> Snapshot(string store) =>
        Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
            .ToDictionary(file => Path.GetRelativePath(store, file), TarballCheck.Sha256, StringComparer.Ordinal);
}
