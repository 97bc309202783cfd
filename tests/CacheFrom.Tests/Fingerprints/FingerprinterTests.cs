using CacheFrom.Configuration;
using CacheFrom.Fingerprints;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Fingerprints;

/// <summary>What each instruction's fingerprint covers, on contexts and Dockerfiles built for the purpose (no engine: images get fixed digests).</summary>
public sealed class FingerprinterTests
{
    private const string Sample = """
        ARG BASE_IMAGE=cachefrom/busybox:1.35.0
        FROM ${BASE_IMAGE} AS builder
        ARG SLOW_SECONDS=3
        WORKDIR /src
        RUN echo "installing" && sleep "$SLOW_SECONDS"
        COPY Gemfile Gemfile.lock ./
        RUN echo "resolving" && sleep "$SLOW_SECONDS"

        FROM ${BASE_IMAGE}
        WORKDIR /app
        COPY --from=builder /src/vendor/ /app/vendor/
        COPY app/ /app/
        RUN echo built > /app/BUILD_INFO
        CMD ["/bin/sh", "/app/run.sh"]
        """;

    private static ContextFolder SampleContext() => new ContextFolder()
        .Write(".dockerignore", "*.md\n")
        .Write("Gemfile", "gem 'rake'\n")
        .Write("Gemfile.lock", "rake (13.0)\n")
        .Write("app/greeting.txt", "hello\n")
        .Write("app/run.sh", "cat /app/greeting.txt\n")
        .Write("README.md", "docs\n");

    private static List<string?> Prints(RunFingerprints run, string stage) => run.Stage(stage)!.Instructions.Select(i => i.Fingerprint).ToList();

    [Test]
    public async Task The_same_files_give_the_same_fingerprints_in_two_runs_and_two_checkouts()
    {
        using var first = SampleContext();
        using var second = SampleContext();
        foreach (var file in Directory.EnumerateFiles(second.Directory, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-30));

        var a = await first.FingerprintAsync(Sample);
        var again = await first.FingerprintAsync(Sample);
        var b = await second.FingerprintAsync(Sample);

        Assert.That(a.Stages.Select(s => s.Stage), Is.EqualTo(new[] { "builder", "final" }));
        Assert.That(a.Stages.Select(s => s.Fingerprint), Has.All.StartsWith("sha256:"));
        Assert.That(again.Stages.Select(s => s.Fingerprint), Is.EqualTo(a.Stages.Select(s => s.Fingerprint)));
        Assert.That(b.Stages.Select(s => s.Fingerprint), Is.EqualTo(a.Stages.Select(s => s.Fingerprint)), "another checkout, other mtimes");
    }

    [Test]
    public async Task A_changed_app_file_changes_the_COPY_that_takes_it_and_every_step_after_it_only()
    {
        using var context = SampleContext();
        var before = await context.FingerprintAsync(Sample);

        context.Write("app/greeting.txt", "hello, changed\n");
        var after = await context.FingerprintAsync(Sample);

        Assert.That(after.Stage("builder")!.Fingerprint, Is.EqualTo(before.Stage("builder")!.Fingerprint), "the builder takes no app file");
        var was = Prints(before, "final");
        var now = Prints(after, "final");
        Assert.That(now.Take(3), Is.EqualTo(was.Take(3)), "FROM, WORKDIR, COPY --from");
        Assert.That(now.Skip(3).Zip(was.Skip(3)).Where(p => p.First == p.Second), Is.Empty, "COPY app/ and everything after it");
    }

    [Test]
    public async Task Files_nothing_copies_and_ignored_files_change_nothing()
    {
        const string copyAll = "FROM base\nCOPY . /src/\nRUN ls /src\n";
        using var context = SampleContext();
        var before = await context.FingerprintAsync(copyAll);
        var sampleBefore = await context.FingerprintAsync(Sample);

        context.Write("README.md", "other docs\n").Write("notes.md", "new, and ignored too\n");
        var after = await context.FingerprintAsync(copyAll);
        context.Write("unused.txt", "copied by COPY . only");
        var sampleAfter = await context.FingerprintAsync(Sample);

        Assert.That(after.Stages[0].Fingerprint, Is.EqualTo(before.Stages[0].Fingerprint), ".dockerignore'd files do not matter");
        Assert.That(sampleAfter.Stages.Select(s => s.Fingerprint), Is.EqualTo(sampleBefore.Stages.Select(s => s.Fingerprint)), "a file no instruction copies does not matter");
    }

    [Test]
    public async Task A_changed_build_arg_changes_the_RUNs_that_see_it_and_not_the_steps_before()
    {
        using var context = SampleContext();
        var before = await context.FingerprintAsync(Sample);
        var after = await context.FingerprintAsync(Sample, new Dictionary<string, string> { ["SLOW_SECONDS"] = "1" });

        var was = Prints(before, "builder");
        var now = Prints(after, "builder");
        Assert.That(now.Take(3), Is.EqualTo(was.Take(3)), "FROM, ARG, WORKDIR: declaring an arg is not using it");
        Assert.That(now[3], Is.Not.EqualTo(was[3]), "RUN sees every ARG in scope");
        Assert.That(after.Stage("builder")!.Instructions[3].Inputs.Args!.Keys, Is.EqualTo(new[] { "SLOW_SECONDS" }));
        Assert.That(after.Stage("builder")!.Instructions[3].Inputs.Args!["SLOW_SECONDS"], Has.Length.EqualTo(12).And.Not.EqualTo("1"), "a hash of the value, never the value");
    }

    [Test]
    public async Task A_build_arg_only_a_non_RUN_step_reads_changes_that_step()
    {
        const string dockerfile = "FROM base\nARG DIR=/a\nARG OTHER=x\nWORKDIR $DIR\nCOPY app/ ./\n";
        using var context = SampleContext();
        var before = await context.FingerprintAsync(dockerfile);
        var other = await context.FingerprintAsync(dockerfile, new Dictionary<string, string> { ["OTHER"] = "y" });
        var moved = await context.FingerprintAsync(dockerfile, new Dictionary<string, string> { ["DIR"] = "/b" });

        Assert.That(other.Stages[0].Fingerprint, Is.EqualTo(before.Stages[0].Fingerprint), "OTHER is read by no step (and no RUN follows)");
        Assert.That(moved.Stages[0].Instructions[3].Fingerprint, Is.Not.EqualTo(before.Stages[0].Instructions[3].Fingerprint));
    }

    [Test]
    public async Task A_moved_base_image_changes_every_fingerprint_of_the_stage_and_of_stages_built_from_it()
    {
        const string dockerfile = "FROM base AS one\nRUN echo one\nFROM one\nRUN echo two\nFROM other\nCOPY --from=one /x /y\nCOPY --from=1 /a /b\n";
        using var context = SampleContext();
        var images = Images(("base", "a"), ("other", "o"));
        var before = await context.FingerprintAsync(dockerfile, images: images);
        var after = await context.FingerprintAsync(dockerfile, images: Images(("base", "b"), ("other", "o")));

        Assert.That(before.Stages.Select(s => s.Stage), Is.EqualTo(new[] { "one", "stage-1", "final" }));
        for (var stage = 0; stage < 3; stage++)
            Assert.That(after.Stages[stage].Fingerprint, Is.Not.EqualTo(before.Stages[stage].Fingerprint), before.Stages[stage].Stage);
        Assert.That(after.Stages[2].Instructions[0].Fingerprint, Is.EqualTo(before.Stages[2].Instructions[0].Fingerprint), "the last stage's own base did not move");
    }

    [Test]
    public async Task A_changed_instruction_changes_its_fingerprint_and_the_ones_after_it()
    {
        using var context = SampleContext();
        var before = await context.FingerprintAsync(Sample);
        var after = await context.FingerprintAsync(Sample.Replace("echo \"resolving\"", "echo \"resolving!\"", StringComparison.Ordinal));

        Assert.That(Prints(after, "builder").Take(5), Is.EqualTo(Prints(before, "builder").Take(5)));
        Assert.That(Prints(after, "builder")[5], Is.Not.EqualTo(Prints(before, "builder")[5]));
        Assert.That(after.Stage("final")!.Fingerprint, Is.Not.EqualTo(before.Stage("final")!.Fingerprint), "final copies from builder");
    }

    [Test]
    public async Task A_heredoc_body_is_part_of_the_instruction()
    {
        using var context = SampleContext();
        var before = await context.FingerprintAsync("FROM base\nRUN <<EOF\necho one\nEOF\n");
        var after = await context.FingerprintAsync("FROM base\nRUN <<EOF\necho two\nEOF\n");

        Assert.That(after.Stages[0].Fingerprint, Is.Not.EqualTo(before.Stages[0].Fingerprint));
    }

    [TestCase("ADD https://example.com/tool.tar.gz /opt/", "fetches from the network")]
    [TestCase("ADD git@github.com:moby/buildkit.git /src", "fetches from the network")]
    [TestCase("COPY --from=private.example.com/tool:1 /t /t", "could not be resolved")]
    public async Task An_instruction_whose_inputs_cannot_be_known_has_no_fingerprint_nor_has_anything_after_or_from_it(string instruction, string reason)
    {
        var dockerfile = $"FROM base AS one\nRUN echo before\n{instruction}\nRUN echo after\nFROM base\nCOPY --from=one /x /y\n";
        using var context = SampleContext();
        var run = await context.FingerprintAsync(dockerfile, images: Images(("base", "a")));

        var one = run.Stage("one")!;
        Assert.That(one.Instructions[1].Fingerprint, Is.Not.Null, "before it");
        Assert.That(one.Instructions[2].Fingerprint, Is.Null);
        Assert.That(one.Instructions[2].Unknown, Does.Contain(reason));
        Assert.That(one.Instructions[3].Fingerprint, Is.Null);
        Assert.That(one.Instructions[3].Unknown, Does.StartWith("an earlier step's inputs can't be known (line 3:"));
        Assert.That(one.Fingerprint, Is.Null);
        Assert.That(run.Stage("final")!.Instructions[1].Fingerprint, Is.Null, "a stage that copies from it");
        Assert.That(run.Stage("final")!.Instructions[0].Fingerprint, Is.Not.Null);
    }

    [Test]
    public async Task A_base_image_that_cannot_be_resolved_makes_its_stage_unknowable()
    {
        using var context = SampleContext();
        var images = new Dictionary<string, ImageIdentity> { ["gone:1"] = ImageIdentity.Unresolved("gone:1", "gone:1 is neither on the engine nor in its registry") };
        var run = await context.FingerprintAsync("FROM gone:1\nRUN echo hi\n", images: images);

        Assert.That(run.Stages[0].Fingerprint, Is.Null);
        Assert.That(run.Stages[0].Instructions[0].Unknown, Is.EqualTo("the base image gone:1 could not be resolved (gone:1 is neither on the engine nor in its registry)"));
        Assert.That(run.Stages[0].Unknown, Does.Contain("line 1"));
    }

    [TestCase("docker/dockerfile:1", true)]
    [TestCase("docker.io/docker/dockerfile:1.7-labs", true)]
    [TestCase("docker/dockerfile@sha256:ac85f380a63b13dfcefa89046420e1781752bab202122f8f50032edf31be0021", true)]
    [TestCase("docker/dockerfile-upstream:master", false)]
    [TestCase("example.com/custom/frontend:2", false)]
    public async Task Only_the_docker_dockerfile_frontend_is_understood(string syntax, bool known)
    {
        using var context = SampleContext();
        var buildKit = await context.FingerprintAsync($"# syntax={syntax}\nFROM base\nRUN echo hi\n");
        var classic = await context.FingerprintAsync($"# syntax={syntax}\nFROM base\nRUN echo hi\n", builder: BuilderKind.Classic);

        Assert.That(buildKit.Stages[0].Fingerprint is not null, Is.EqualTo(known));
        Assert.That(classic.Stages[0].Fingerprint, Is.Not.Null, "the classic builder ignores the directive");
        if (!known)
            Assert.That(buildKit.Stages[0].Unknown, Does.Contain(syntax));
    }

    [Test]
    public async Task A_bind_mount_from_the_context_takes_its_files_and_a_cache_mount_takes_none()
    {
        const string dockerfile = "FROM base\nRUN --mount=type=bind,source=app,target=/app --mount=type=cache,target=/root/.cache ls /app\n";
        using var context = SampleContext();
        var before = await context.FingerprintAsync(dockerfile);

        context.Write("Gemfile", "not mounted\n");
        var unrelated = await context.FingerprintAsync(dockerfile);
        context.Write("app/greeting.txt", "mounted\n");
        var after = await context.FingerprintAsync(dockerfile);

        Assert.That(before.Stages[0].Instructions[1].Inputs.Files!.Groups.Keys, Is.EqualTo(new[] { "app", "app/greeting.txt", "app/run.sh" }));
        Assert.That(unrelated.Stages[0].Fingerprint, Is.EqualTo(before.Stages[0].Fingerprint));
        Assert.That(after.Stages[0].Fingerprint, Is.Not.EqualTo(before.Stages[0].Fingerprint));
    }

    [Test]
    public async Task COPY_sources_expand_ARG_and_ENV_values_and_a_variable_the_base_image_may_set_is_unknowable()
    {
        using var context = SampleContext();
        var run = await context.FingerprintAsync("FROM base\nARG WHAT=app\nENV FILE=greeting.txt\nCOPY $WHAT/$FILE /x\nCOPY $HOME/y /y\n");
        var scratch = await context.FingerprintAsync("FROM scratch\nCOPY app$NOTHING/ /x\n");

        Assert.That(run.Stages[0].Instructions[3].Inputs.Files!.Groups.Keys, Is.EqualTo(new[] { "app/greeting.txt" }));
        Assert.That(run.Stages[0].Instructions[3].Inputs.Args!.Keys, Is.EqualTo(new[] { "WHAT" }));
        Assert.That(run.Stages[0].Instructions[4].Unknown, Does.Contain("$HOME"));
        Assert.That(scratch.Stages[0].Fingerprint, Is.Not.Null, "scratch has no environment of its own");
    }

    [Test]
    public async Task A_COPY_of_a_large_tree_keeps_a_bounded_summary()
    {
        using var context = new ContextFolder();
        for (var d = 0; d < 30; d++)
        {
            for (var f = 0; f < 20; f++)
                context.Write($"src/lib{d:D2}/file{f:D2}.cs", $"{d}/{f}");
        }

        var run = await context.FingerprintAsync("FROM base\nCOPY . /src/\n");

        var files = run.Stages[0].Instructions[1].Inputs.Files!;
        Assert.That(files.Count, Is.EqualTo(631), "600 files, 30 + 1 directories");
        Assert.That(files.Groups, Has.Count.InRange(30, FileSummary.MaxGroups));
        Assert.That(files.Groups.Keys, Does.Contain("src/lib07/"));
    }

    private static Dictionary<string, ImageIdentity> Images(params (string Name, string Version)[] images) =>
        images.ToDictionary(i => i.Name, i => ImageIdentity.Resolved(i.Name, CacheFrom.Fingerprints.FingerprintWriter.Of(i.Name + "@" + i.Version), ImageIdentity.Registry));
}
