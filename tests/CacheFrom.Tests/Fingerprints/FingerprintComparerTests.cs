using CacheFrom.Fingerprints;
using CacheFrom.Recording;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>"Why did it miss?": a run's fingerprints against those recorded for the winning cache image.</summary>
public sealed class FingerprintComparerTests
{
    private const string Dockerfile = """
        FROM base AS builder
        ARG SLOW_SECONDS=3
        WORKDIR /src
        COPY Gemfile Gemfile.lock ./
        RUN echo "resolving" && sleep "$SLOW_SECONDS"

        FROM base
        WORKDIR /app
        COPY --from=builder /src /app/vendor/
        COPY app/ /app/
        RUN echo built > /app/BUILD_INFO
        """;

    private static ContextFolder Context() => new ContextFolder()
        .Write("Gemfile", "gem 'rake'\n")
        .Write("Gemfile.lock", "rake (13.0)\n")
        .Write("app/greeting.txt", "hello\n")
        .Write("app/run.sh", "cat /app/greeting.txt\n");

    /// <summary>Every stage of <paramref name="now"/> against the same stage of <paramref name="then"/> as its winner.</summary>
    private static Dictionary<string, StageComparison> Compare(RunFingerprints then, RunFingerprints now)
    {
        var result = new Dictionary<string, StageComparison>();
        foreach (var stage in now.Stages)
        {
            var recorded = then.Stage(stage.Stage)!;
            result[stage.Stage] = FingerprintComparer.Compare(stage, now, "registry/app:main--" + stage.Stage, recorded.Fingerprint, recorded,
                name => result.TryGetValue(name, out var earlier) ? earlier.Change : null);
        }

        return result;
    }

    [Test]
    public async Task Unchanged_inputs_compare_unchanged_everywhere()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        var now = await context.FingerprintAsync(Dockerfile);

        var compared = Compare(then, now);

        Assert.That(compared.Values.Select(c => c.Unchanged), Is.EqualTo(new[] { true, true }));
        Assert.That(compared.Values.SelectMany(c => c.Instructions), Has.All.Null);
        Assert.That(compared.Values.Select(c => c.Change), Has.All.Null);
    }

    [Test]
    public async Task A_changed_file_is_named_on_its_COPY_and_later_steps_point_back_at_it()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        context.Write("app/greeting.txt", "changed\n");
        var now = await context.FingerprintAsync(Dockerfile);

        var final = Compare(then, now)["final"];

        Assert.That(final.Unchanged, Is.False);
        Assert.That(final.Instructions.Take(3), Has.All.Null, "FROM, WORKDIR, COPY --from");
        var copy = final.Instructions[3]!;
        Assert.That(copy.Kind, Is.EqualTo(MissKind.FilesChanged));
        Assert.That(copy.Paths, Is.EqualTo(new[] { "app/greeting.txt" }));
        Assert.That(copy.Summary, Is.EqualTo("files changed: app/greeting.txt"));
        var run = final.Instructions[4]!;
        Assert.That(run.Kind, Is.EqualTo(MissKind.EarlierStepMissed));
        Assert.That(run.EarlierLine, Is.EqualTo(10));
        Assert.That(run.Summary, Does.Contain("line 10").And.Contain("app/greeting.txt"));
        Assert.That(final.Change, Is.SameAs(copy), "the stage's reason is its first changed step");
        Assert.That(Compare(then, now)["builder"].Unchanged, Is.True);
    }

    [Test]
    public async Task New_and_removed_files_are_named_as_such()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        File.Delete(Path.Combine(context.Directory, "app/run.sh"));
        context.Write("app/new.txt", "new\n");
        var now = await context.FingerprintAsync(Dockerfile);

        var copy = Compare(then, now)["final"].Instructions[3]!;

        Assert.That(copy.Paths, Is.EqualTo(new[] { "app/new.txt", "app/run.sh" }), "the new file and the removed one; the directory itself is as it was");
        Assert.That(copy.Summary, Does.Contain("app/new.txt (new)").And.Contain("app/run.sh (removed)"));
    }

    [Test]
    public async Task A_changed_build_arg_is_named_on_the_RUN_that_sees_it()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        var now = await context.FingerprintAsync(Dockerfile, new Dictionary<string, string> { ["SLOW_SECONDS"] = "1" });

        var compared = Compare(then, now);

        var run = compared["builder"].Instructions[4]!;
        Assert.That(run.Kind, Is.EqualTo(MissKind.BuildArgChanged));
        Assert.That(run.Args, Is.EqualTo(new[] { "SLOW_SECONDS" }));
        Assert.That(run.Summary, Is.EqualTo("build arg SLOW_SECONDS changed"));
        var copyFrom = compared["final"].Instructions[2]!;
        Assert.That(copyFrom.Kind, Is.EqualTo(MissKind.SourceChanged));
        Assert.That(copyFrom.Summary, Is.EqualTo("stage builder changed (build arg SLOW_SECONDS changed)"));
    }

    [Test]
    public async Task A_moved_base_is_the_reason_of_every_step_of_the_stage()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile, images: Images("1"));
        var now = await context.FingerprintAsync(Dockerfile, images: Images("2"));

        var builder = Compare(then, now)["builder"];

        Assert.That(builder.Instructions, Has.Count.EqualTo(5));
        Assert.That(builder.Instructions.Select(i => i!.Kind), Has.All.EqualTo(MissKind.BaseImageMoved));
        Assert.That(builder.Instructions[4]!.Summary, Does.StartWith("base image moved ("));
    }

    [Test]
    public async Task A_changed_instruction_says_what_it_was()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        var now = await context.FingerprintAsync(Dockerfile.Replace("echo built", "echo made", StringComparison.Ordinal));

        var run = Compare(then, now)["final"].Instructions[4]!;

        Assert.That(run.Kind, Is.EqualTo(MissKind.InstructionChanged));
        Assert.That(run.Summary, Is.EqualTo("instruction changed (was: RUN echo built > /app/BUILD_INFO)"));
    }

    [Test]
    public async Task An_inserted_instruction_is_new_and_the_unchanged_ones_after_it_only_follow_it()
    {
        using var context = Context();
        var then = await context.FingerprintAsync(Dockerfile);
        var now = await context.FingerprintAsync(Dockerfile.Replace("WORKDIR /app\n", "WORKDIR /app\nRUN echo inserted\n", StringComparison.Ordinal));

        var final = Compare(then, now)["final"];

        Assert.That(final.Instructions, Has.Count.EqualTo(6));
        Assert.That(final.Instructions[2]!.Summary, Does.StartWith("a new instruction"));
        Assert.That(final.Instructions.Skip(3).Select(i => i!.Kind), Has.All.EqualTo(MissKind.EarlierStepMissed), "COPY --from, COPY app/, RUN: moved down, not changed");
        Assert.That(final.Instructions[5]!.EarlierLine, Is.EqualTo(9));
    }

    [Test]
    public async Task No_winner_no_label_no_history_and_unknowable_inputs_each_say_so()
    {
        using var context = Context();
        var run = await context.FingerprintAsync(Dockerfile + "\nADD https://example.com/x /x\n");
        var final = run.Stage("final")!;

        var none = FingerprintComparer.Compare(final, run, null, null, null, _ => null);
        var unlabelled = FingerprintComparer.Compare(final, run, "r/app:main", null, null, _ => null);
        var forgotten = FingerprintComparer.Compare(final, run, "r/app:main", "sha256:1234", null, _ => null);

        Assert.That(none.Instructions[1]!.Kind, Is.EqualTo(MissKind.NoCache));
        Assert.That(unlabelled.Instructions[1]!.Kind, Is.EqualTo(MissKind.NoHistory));
        Assert.That(forgotten.Instructions[1]!.Kind, Is.EqualTo(MissKind.NoHistory));
        Assert.That(forgotten.Instructions[1]!.Summary, Does.Contain("no record"));
        Assert.That(none.Instructions[5]!.Kind, Is.EqualTo(MissKind.Unknowable));
        Assert.That(none.Instructions[5]!.Summary, Does.Contain("https://example.com/x"));
        Assert.That(none.Unchanged, Is.False);
    }

    [Test]
    public async Task A_change_deep_in_a_large_copy_is_traced_to_its_directory()
    {
        using var context = new ContextFolder();
        for (var d = 0; d < 30; d++)
        {
            for (var f = 0; f < 40; f++)
                context.Write($"src/lib{d:D2}/file{f:D2}.cs", $"{d}/{f}");
        }

        const string dockerfile = "FROM base\nCOPY . /src/\n";
        var then = await context.FingerprintAsync(dockerfile);
        context.Write("src/lib07/file13.cs", "changed");
        var now = await context.FingerprintAsync(dockerfile);

        var copy = Compare(then, now)["final"].Instructions[1]!;

        Assert.That(copy.Kind, Is.EqualTo(MissKind.FilesChanged));
        Assert.That(copy.Paths, Is.EqualTo(new[] { "src/lib07/" }));
    }

    private static Dictionary<string, ImageIdentity> Images(string version) =>
        new() { ["base"] = ImageIdentity.Resolved("base", FingerprintWriter.Of("base@" + version), ImageIdentity.Registry) };
}
