using CacheFrom.Docker.Build;

namespace CacheFrom.Tests.Docker;

/// <summary>Decoding BuildKit's trace messages, on lines captured from the engine (no engine needed).</summary>
public class BuildKitStatusTests
{
    // A failing step: {"id":"moby.buildkit.trace","aux":"…"} as Docker 20.10 sent it.
    private const string FailedVertexTrace =
        "CoACCkdzaGEyNTY6ZGNhNzMxNDFjOTliZDNjZjk5NmRjNmY4ZDRmMGMwZDI4OWFmOTk5NTNhNDQ0MTY0NGQyNTU2MWE4NzgyOWU4YhJHc2hhMjU2OjJjOTIzZGJhZGQ5Y2Y0N2M0OThhOGY5YTk4MzA2MmRiMTU2ZjZiNjU1NjA0OGNjZmQ2MjAxODM0YzlmNTg4ZTAaF1tzdGFnZS0xIDMvM10gUlVOIGZhbHNlKgsIy4+t2AYQpMvvazIMCMuPrdgGELKRucACOjhleGVjdXRvciBmYWlsZWQgcnVubmluZyBbL2Jpbi9zaCAtYyBmYWxzZV06IGV4aXQgY29kZTogMQ==";

    // A RUN step's output: one VertexLog with "hello\n".
    private const string LogTrace =
        "GmEKR3NoYTI1NjphYmUwMmNiMDM5MGU0M2M0ODIzNjVhYzU5NGFkOTcwY2VjOTczMGMzNTY2MDNmYTUwODUxMWJkMjM4OWY4NmQ3EgwIyY+t2AYQyJOIhwIYASIGaGVsbG8K";

    [Test]
    public void A_captured_failing_vertex_decodes_to_its_name_error_and_times()
    {
        var status = BuildKitStatus.Parse(FailedVertexTrace);

        Assert.That(status.Vertexes, Has.Count.EqualTo(1));
        var vertex = status.Vertexes[0];
        Assert.Multiple(() =>
        {
            Assert.That(vertex.Digest, Is.EqualTo("sha256:dca73141c99bd3cf996dc6f8d4f0c0d289af99953a4441644d25561a87829e8b"));
            Assert.That(vertex.Name, Is.EqualTo("[stage-1 3/3] RUN false"));
            Assert.That(vertex.Cached, Is.False);
            Assert.That(vertex.Error, Is.EqualTo("executor failed running [/bin/sh -c false]: exit code: 1"));
            Assert.That(vertex.Started, Is.Not.Null);
            Assert.That(vertex.Completed, Is.GreaterThan(vertex.Started!.Value));
            Assert.That(vertex.Completed - vertex.Started, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public void A_captured_log_message_decodes_to_its_vertex_and_text()
    {
        var status = BuildKitStatus.Parse(LogTrace);

        Assert.That(status.Vertexes, Is.Empty);
        Assert.That(status.Logs, Has.Count.EqualTo(1));
        Assert.That(status.Logs[0].VertexDigest, Is.EqualTo("sha256:abe02cb0390e43c482365ac594ad970cec9730c356603fa508511bd2389f86d7"));
        Assert.That(status.Logs[0].Message, Is.EqualTo("hello\n"));
    }

    [TestCase("[builder 2/4] RUN make", "builder", 2, 4, "RUN make")]
    [TestCase("[stage-1 3/3] COPY --from=builder /x /x", "stage-1", 3, 3, "COPY --from=builder /x /x")]
    [TestCase("[ 2/10] RUN make", "", 2, 10, "RUN make")]
    [TestCase("[linux/amd64 builder 1/3] FROM docker.io/library/busybox", "builder", 1, 3, "FROM docker.io/library/busybox")]
    public void A_step_vertex_name_gives_its_stage_and_instruction(string name, string stage, int number, int total, string text)
    {
        var step = BuildKitStepName.TryParse(name);

        Assert.That(step, Is.EqualTo(new BuildKitStepName(stage, number, total, text)));
    }

    [TestCase("[internal] load remote build context")]
    [TestCase("[internal] load metadata for docker.io/cachefrom/busybox:1.35.0")]
    [TestCase("exporting to image")]
    [TestCase("copy /context /")]
    public void BuildKits_own_vertexes_are_not_steps(string name)
    {
        Assert.That(BuildKitStepName.TryParse(name), Is.Null);
    }

    [Test]
    public void A_single_stage_dockerfiles_steps_take_the_stage_name_buildkit_leaves_out()
    {
        var progress = new BuildKitProgress(["builder"]);
        progress.Apply(new BuildKitStatus([new BuildKitVertex("sha256:a", "[2/2] RUN make", true, null, null, null)], [], []));

        Assert.That(progress.Instructions.Single().Stage, Is.EqualTo("builder"));
    }

    [Test]
    public void A_from_step_is_cached_unless_it_fetched_layers()
    {
        var progress = new BuildKitProgress();
        progress.Apply(new BuildKitStatus(
            [
                new BuildKitVertex("sha256:local", "[a 1/2] FROM docker.io/library/local", false, null, null, null),
                new BuildKitVertex("sha256:remote", "[b 1/2] FROM registry.example.com/remote", false, null, null, null),
            ],
            [
                // The containerd image store resolves a local base image's metadata too: no fetch.
                new BuildKitVertexStatus("resolve docker.io/library/local@sha256:0123", "sha256:local", 0, 0),
                new BuildKitVertexStatus("resolve registry.example.com/remote@sha256:4567", "sha256:remote", 0, 0),
                new BuildKitVertexStatus("sha256:layer", "sha256:remote", 100, 1000),
            ],
            []));

        Assert.That(progress.Instructions.Select(i => (i.Stage, i.Cached)), Is.EqualTo(new[] { ("a", true), ("b", false) }));
    }

    [Test]
    public void Repeated_vertexes_merge_by_digest_into_one_instruction()
    {
        var progress = new BuildKitProgress();
        var started = DateTimeOffset.UnixEpoch.AddSeconds(100);
        progress.Apply(new BuildKitStatus([new BuildKitVertex("sha256:a", "[builder 2/3] RUN make", false, started, null, null)], [], []));
        progress.Apply(new BuildKitStatus([new BuildKitVertex("sha256:a", "[builder 2/3] RUN make", false, started, started.AddSeconds(3), null)], [], []));
        progress.Apply(new BuildKitStatus([new BuildKitVertex("sha256:b", "exporting to image", false, started, started.AddSeconds(4), null)], [], []));

        Assert.That(progress.Instructions, Is.EqualTo(new[] { new BuildInstruction("builder", "RUN make", false, TimeSpan.FromSeconds(3)) }));
    }
}
