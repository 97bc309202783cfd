using CacheFrom.Configuration;
using CacheFrom.Recording;

namespace CacheFrom.Tests.Reporting;

/// <summary>Hand-built run records: a registry run of the sample's two stages, with durations a test can add up.</summary>
internal static class RunRecords
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static RunRecord New(CacheMode cache = CacheMode.Registry) => new()
    {
        RunId = "run1",
        Image = "127.0.0.1:5000/app",
        Tag = "main",
        Builder = BuilderKind.BuildKit,
        Cache = cache,
        Push = true,
        StartedAt = Start,
    };

    public static StepRecord Step(this RunRecord record, PipelineStep step, double seconds, StepOutcome outcome = StepOutcome.Succeeded,
        long pulled = 0, long pushed = 0, long loaded = 0, long saved = 0)
    {
        var startedAt = record.Steps.Count == 0 ? Start : record.Steps[^1].StartedAt + record.Steps[^1].Duration;
        var step1 = new StepRecord(step)
        {
            StartedAt = startedAt,
            Duration = TimeSpan.FromSeconds(seconds),
            Outcome = outcome,
            BytesPulled = pulled,
            BytesPushed = pushed,
            BytesLoaded = loaded,
            BytesSaved = saved,
        };
        record.Steps.Add(step1);
        return step1;
    }

    public static InstructionRecord Instruction(this RunRecord record, PipelineStep builtIn, string stage, string text, bool cached, double seconds, double? coldSeconds = null)
    {
        var instruction = new InstructionRecord(stage, text, cached, TimeSpan.FromSeconds(seconds), builtIn)
        {
            ColdDuration = coldSeconds is { } cold ? TimeSpan.FromSeconds(cold) : null,
        };
        record.Instructions.Add(instruction);
        return instruction;
    }

    /// <summary>
    /// The sample's warm run: fetch 1 s + 0.5 s, builder stage all cached (built 0 s), final stage
    /// app step built, push 2 s; the builder's two slow steps and the final stage's copy cached.
    /// </summary>
    public static RunRecord Warm(double? systemCold = 30, double? dependenciesCold = 12)
    {
        var record = New();
        record.Step(PipelineStep.LoadTarball, 0, StepOutcome.Skipped);
        record.Step(PipelineStep.ResolveCache, 1.5, pulled: 1000);
        record.Step(PipelineStep.BuildBuilderStage, 0.4);
        record.Step(PipelineStep.BuildFinalStage, 2.1);
        record.Step(PipelineStep.PushAll, 2, pushed: 2048);
        record.Step(PipelineStep.SaveTarball, 0, StepOutcome.Skipped);
        record.Stages.Add(new StageRecord("builder", false, "127.0.0.1:5000/app:main--builder") { Winner = "127.0.0.1:5000/app:main--builder" });
        record.Stages.Add(new StageRecord("stage-1", true, "127.0.0.1:5000/app:main") { Winner = "127.0.0.1:5000/app:main" });
        record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo installing system packages", cached: true, 0.01, systemCold);
        record.Instruction(PipelineStep.BuildBuilderStage, "builder", "RUN echo resolving dependencies", cached: true, 0.01, dependenciesCold);
        // The final build repeats the builder stage, cached by this very run.
        record.Instruction(PipelineStep.BuildFinalStage, "builder", "RUN echo installing system packages", cached: true, 0, systemCold);
        record.Instruction(PipelineStep.BuildFinalStage, "builder", "RUN echo resolving dependencies", cached: true, 0, dependenciesCold);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "COPY app/ /app/", cached: false, 0.2);
        record.Instruction(PipelineStep.BuildFinalStage, "stage-1", "RUN echo built", cached: false, 1.5);
        return record;
    }
}
