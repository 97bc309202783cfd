using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Recording;
using CacheFrom.Sessions;

namespace CacheFrom.Tests.Support;

/// <summary>Runs the whole pipeline on a sample project, the way a host would, and returns the record.</summary>
internal static class PipelineRunner
{
    public static CacheFromOptions Options(SampleProject sample, string image, BuilderKind builder, CacheMode cache, string tag = "feature-x") =>
        new()
        {
            Image = image,
            Tag = tag,
            Builder = builder,
            Cache = cache,
            Context = sample.Directory,
            WorkingDirectory = sample.Directory,
            CacheDir = Path.Combine(sample.Directory, "..", Path.GetFileName(sample.Directory) + "-store"),
        };

    /// <summary>As every host runs it (NUKE, the tool): with BuildKit sessions (the context over FileSync, credentials, secrets, ssh).</summary>
    public static async Task<RunRecord> PublishAsync(CacheFromOptions options, TestLogger log, CancellationToken cancellationToken = default)
    {
        await using var sessions = BuildKitSessionHost.Create(log.Logger);
        return await PublishAsync(options, log, sessions, cancellationToken);
    }

    /// <summary>As a host that keeps one session provider for several runs (a null one: a host without sessions).</summary>
    public static async Task<RunRecord> PublishAsync(CacheFromOptions options, TestLogger log, IBuildSessionProvider? sessions, CancellationToken cancellationToken = default)
    {
        await using var pipeline = await CachePipeline.OpenAsync(options, log.Logger, sessions, cancellationToken);
        return await pipeline.PublishAsync(cancellationToken);
    }

    /// <summary>A host without BuildKit sessions: BuildKit gets the context as the request body (not on the containerd image store).</summary>
    public static Task<RunRecord> PublishWithoutSessionsAsync(CacheFromOptions options, TestLogger log, CancellationToken cancellationToken = default) =>
        PublishAsync(options, log, sessions: null, cancellationToken);

    /// <summary>The instructions of one stage that the builder ran (RUN), cached or not.</summary>
    public static IReadOnlyList<InstructionRecord> Runs(this RunRecord record, string stage) =>
        record.Instructions.Where(i => i.Stage == stage && i.Text.StartsWith("RUN", StringComparison.OrdinalIgnoreCase)).ToList();

    public static StepRecord StepOf(this RunRecord record, PipelineStep step) => record.Steps.Single(s => s.Step == step);
}
