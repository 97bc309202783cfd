using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;
using CacheFrom.History;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Pipeline;

public sealed class RunRecordStoreTests
{
    [Test]
    public async Task A_step_run_with_the_same_run_id_continues_the_run_with_its_history()
    {
        using var sample = SampleProject.Create();
        var settings = CacheFromSettings.Resolve(PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry));
        var stages = StageImage.Plan(DockerfileParser.Parse(settings.DockerFile), settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, new TestLogger().Logger);
        var first = store.OpenOrStart(settings, stages, "run-42");
        first.History.Add(new CacheHistoryEntry("builder", "RUN make", 1, 12.5, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1));
        await store.SaveAsync(first);

        var next = store.OpenOrStart(settings, stages, "run-42");

        Assert.Multiple(() =>
        {
            Assert.That(first.RunId, Is.EqualTo("run-42"));
            Assert.That(next.RunId, Is.EqualTo(first.RunId));
            Assert.That(next.History.Single().ColdSeconds, Is.EqualTo(12.5));
            Assert.That(next.Stages.Select(s => s.Name), Is.EqualTo(new[] { "builder", "final" }));
        });
    }

    [Test]
    public async Task A_continued_run_keeps_its_fingerprints_and_the_reasons_of_its_misses()
    {
        using var sample = SampleProject.Create();
        var settings = CacheFromSettings.Resolve(PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry));
        var stages = StageImage.Plan(DockerfileParser.Parse(settings.DockerFile), settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, new TestLogger().Logger);
        using var context = new ContextFolder().Write("app/greeting.txt", "hi\n").Write("Gemfile", "g\n").Write("Gemfile.lock", "l\n");
        var fingerprints = await context.FingerprintAsync(await File.ReadAllTextAsync(settings.DockerFile));
        var first = store.OpenOrStart(settings, stages, "run-43");
        first.Fingerprints = [.. fingerprints.Stages];
        first.Fingerprints[1].Instructions[3].Change = new CacheFrom.Recording.MissExplanation(
            CacheFrom.Recording.MissKind.FilesChanged, [CacheFrom.Recording.MissKind.FilesChanged], "files changed: app/greeting.txt", ["app/greeting.txt"], 0, [], null);
        first.Stages[1].Fingerprint = fingerprints.Stages[1].Fingerprint;
        first.Stages[1].Change = first.Fingerprints[1].Instructions[3].Change;
        await store.SaveAsync(first);

        var next = store.OpenOrStart(settings, stages, "run-43");

        Assert.That(next.Fingerprints.Select(f => f.Fingerprint), Is.EqualTo(fingerprints.Stages.Select(f => f.Fingerprint)));
        Assert.That(next.Fingerprints[1].Instructions.Select(i => i.Inputs.Own), Is.EqualTo(fingerprints.Stages[1].Instructions.Select(i => i.Inputs.Own)));
        Assert.That(next.Fingerprints[1].Instructions[3].Change?.Paths, Is.EqualTo(new[] { "app/greeting.txt" }));
        Assert.That(next.Stages[1].Change?.Kind, Is.EqualTo(CacheFrom.Recording.MissKind.FilesChanged));
        Assert.That(next.Stages[1].Fingerprint, Is.EqualTo(fingerprints.Stages[1].Fingerprint));
    }

    [Test]
    public async Task A_record_left_by_another_image_starts_a_new_run()
    {
        using var sample = SampleProject.Create();
        var settings = CacheFromSettings.Resolve(PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry));
        var other = CacheFromSettings.Resolve(PipelineRunner.Options(sample, "127.0.0.1:5000/other", BuilderKind.BuildKit, CacheMode.Registry));
        var stages = StageImage.Plan(DockerfileParser.Parse(settings.DockerFile), settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, new TestLogger().Logger);
        var first = store.OpenOrStart(settings, stages, "run-42");
        await store.SaveAsync(first);

        var next = store.OpenOrStart(other, stages, "run-42");

        Assert.That(next.Image, Is.EqualTo("127.0.0.1:5000/other"));
        Assert.That(next.Steps, Is.Empty, "a record of another image is never continued");
    }

    [Test]
    public async Task A_step_without_a_run_id_starts_a_new_run()
    {
        using var sample = SampleProject.Create();
        var settings = CacheFromSettings.Resolve(PipelineRunner.Options(sample, "127.0.0.1:5000/app", BuilderKind.BuildKit, CacheMode.Registry));
        var stages = StageImage.Plan(DockerfileParser.Parse(settings.DockerFile), settings.Image, settings.CacheFallback);
        var store = new RunRecordStore(settings.ReportDir, new TestLogger().Logger);
        var first = store.OpenOrStart(settings, stages, runId: null);
        await store.SaveAsync(first);

        var next = store.OpenOrStart(settings, stages, runId: null);

        Assert.That(next.RunId, Is.Not.EqualTo(first.RunId));
    }
}
