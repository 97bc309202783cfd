using System.Text;
using System.Text.Json;
using CacheFrom.Distribution;

namespace CacheFrom.Tests.Distribution;

/// <summary>Which steps' layers an image's inline cache metadata leaves out, on configs the test engines pushed (Assets/inline-cache/README.md).</summary>
public sealed class InlineCacheMetadataTests
{
    // The sample's builder stage after its FROM: ARG, WORKDIR, RUN (system packages), COPY, RUN (dependencies).
    private static readonly string[] BuilderStage = ["ARG", "WORKDIR", "RUN", "COPY", "RUN"];

    private static InlineCacheMetadata? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return InlineCacheMetadata.Read(document.RootElement);
    }

    private static string Asset(string name) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Assets", "inline-cache", name));

    [TestCase("docker-20.10-builder-run-left-out.json", new[] { 3 })]
    [TestCase("docker-26.1-builder-run-left-out.json", new[] { 3 })]
    [TestCase("docker-26.1-builder-cached-steps-left-out.json", new[] { 2, 3 })]
    [TestCase("docker-26.1-containerd-builder-every-layer-named.json", new int[0])]
    public void The_steps_left_out_are_those_whose_layer_no_record_names(string asset, int[] leftOut)
    {
        var metadata = Read(Asset(asset));

        Assert.That(metadata?.LeftOut(BuilderStage), Is.EqualTo(leftOut));
    }

    [Test]
    public void A_stage_that_does_not_line_up_with_the_history_tells_nothing()
    {
        var metadata = Read(Asset("docker-20.10-builder-run-left-out.json"));

        Assert.Multiple(() =>
        {
            Assert.That(metadata?.LeftOut(["ARG", "WORKDIR", "COPY", "RUN", "RUN"]), Is.Null, "another Dockerfile");
            Assert.That(metadata?.LeftOut(["RUN", "ARG", "WORKDIR", "RUN", "COPY", "RUN", "RUN"]), Is.Null, "more instructions than history entries");
            Assert.That(metadata?.LeftOut(["COPY", "RUN"]), Is.EqualTo(Array.Empty<int>()), "a stage FROM another stage: its own instructions are the last entries");
        });
    }

    [Test]
    public void A_config_without_readable_metadata_has_none()
    {
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Asset("docker-20.10-builder-run-left-out.json"))!;
        string With(string? metadata)
        {
            var copy = new Dictionary<string, object?>(config.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
            if (metadata is null)
                copy.Remove(InlineCacheMetadata.ConfigProperty);
            else
                copy[InlineCacheMetadata.ConfigProperty] = metadata;
            return JsonSerializer.Serialize(copy);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Read(With(null)), Is.Null, "no metadata: the classic builder, or no BUILDKIT_INLINE_CACHE");
            Assert.That(Read(With("not base64!")), Is.Null);
            Assert.That(Read(With(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"records\": 1}")))), Is.Null, "not an array of records");
            Assert.That(Read(With(Convert.ToBase64String(Encoding.UTF8.GetBytes("[{\"layers\":[{\"layer\":4}]}]"))))?.LeftOut(BuilderStage), Is.EqualTo(new[] { 2, 3, 4 }));
        });
    }
}
