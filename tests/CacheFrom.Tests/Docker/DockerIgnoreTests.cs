using CacheFrom.BuildContext;

namespace CacheFrom.Tests.Docker;

public class DockerIgnoreTests
{
    private static readonly DockerIgnore Rules = DockerIgnore.Parse(
    [
        "# build output",
        "bin",
        "**/*.log",
        "docs/?.md",
        "secrets/*",
        "!secrets/public.key",
        "/obj/",
    ]);

    [TestCase("bin/app.dll")]
    [TestCase("bin")]
    [TestCase("trace.log")]
    [TestCase("deep/down/trace.log")]
    [TestCase("docs/a.md")]
    [TestCase("secrets/token")]
    [TestCase("obj/project.assets.json")]
    public void A_path_matched_by_a_rule_is_excluded(string path)
    {
        Assert.That(Rules.IsExcluded(path), Is.True);
    }

    [TestCase("src/bin.cs")]
    [TestCase("docs/ab.md")]
    [TestCase("secrets/public.key")]
    [TestCase("Dockerfile")]
    [TestCase("# build output")]
    public void A_path_no_rule_matches_or_a_negation_reincludes_is_kept(string path)
    {
        Assert.That(Rules.IsExcluded(path), Is.False);
    }
}
