using CacheFrom.Configuration;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;
using CacheFrom.Tests.Reporting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>Which reason each built step of a record gets, its step matched to the Dockerfile as either builder names it.</summary>
public sealed class MissExplanationsTests
{
    private const string Dockerfile = "FROM base AS builder\nARG GREETING=hello\nRUN echo $GREETING\nRUN echo   done\nFROM base\nCOPY --from=builder /x /y\n";

    private static async Task<RunRecord> RecordAsync(CacheMode cache = CacheMode.Registry)
    {
        using var context = new ContextFolder();
        var run = await context.FingerprintAsync(Dockerfile);
        var record = RunRecords.New(cache);
        record.Fingerprints = [.. run.Stages];
        record.Stages.Add(new StageRecord("builder", false, "r/app:x--builder") { Winner = "r/app:main--builder", Compared = true });
        record.Stages.Add(new StageRecord("final", true, "r/app:x") { Winner = null, Compared = true });
        return record;
    }

    [Test]
    public async Task A_step_whose_inputs_are_unchanged_says_the_builder_did_not_get_the_cache()
    {
        var record = await RecordAsync();
        var step = record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo hello", cached: false, 1);

        MissExplanations.Apply(record);

        Assert.That(step.Miss?.Kind, Is.EqualTo(MissKind.InputsUnchanged), "BuildKit names the step with the ARG's value in");
        Assert.That(step.Miss?.Summary, Does.Contain("r/app:main--builder").And.Contain("did not get that cache"));
    }

    [Test]
    public async Task A_step_whose_layer_the_winners_inline_cache_metadata_leaves_out_says_so()
    {
        var record = await RecordAsync();
        record.Stages[0].WinnerLeftOut = [2];
        var leftOut = record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo hello", cached: false, 1);
        var named = record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo done", cached: false, 1);

        MissExplanations.Apply(record);

        Assert.That(leftOut.Miss?.Kind, Is.EqualTo(MissKind.CacheMetadataIncomplete));
        Assert.That(leftOut.Miss?.Summary, Does.Contain("inline cache metadata of r/app:main--builder leaves this step's layer out"));
        Assert.That(named.Miss?.Kind, Is.EqualTo(MissKind.InputsUnchanged), "the metadata names the layer of line 4's step");
    }

    [Test]
    public async Task A_step_gets_the_change_its_instruction_was_compared_with_classic_text_as_written()
    {
        var record = await RecordAsync();
        var change = MissExplanation.Simple(MissKind.BuildArgChanged, "build arg GREETING changed");
        record.Fingerprints.Single(f => f.Stage == "builder").Instructions[2].Change = change;
        var classic = record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo $GREETING", cached: false, 1);
        var cached = record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo done", cached: true, 0);

        MissExplanations.Apply(record);

        Assert.That(classic.Miss, Is.SameAs(change));
        Assert.That(cached.Miss, Is.Null, "a cached step needs no reason");
    }

    [Test]
    public async Task Without_a_cache_every_built_step_says_so()
    {
        var none = await RecordAsync(CacheMode.None);
        var noneStep = none.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo hello", cached: false, 1);
        var cold = await RecordAsync();
        cold.Stages[0].Compared = false;
        cold.Stages[0].Winner = null;
        var coldStep = cold.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo hello", cached: false, 1);

        MissExplanations.Apply(none);
        MissExplanations.Apply(cold);

        Assert.That(noneStep.Miss?.Summary, Is.EqualTo("no cache: docker-cache is none"));
        Assert.That(coldStep.Miss?.Summary, Is.EqualTo("no cache image existed for stage builder"));
    }
}
