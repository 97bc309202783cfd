using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class AddUrlRuleTests
{
    [Test]
    public void Given_add_of_an_https_url_Then_its_line_is_named_with_a_checksum_fix()
    {
        using var scenario = LintScenario.Create("""
            FROM debian:12
            WORKDIR /opt
            ADD https://example.com/releases/tool-1.2.tar.gz /opt/
            """);

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That($"{findings[0].Path}:{findings[0].Line} {findings[0].Rule}", Is.EqualTo("Dockerfile:3 add-url"));
            Assert.That(findings[0].Fix, Does.Contain("ADD --checksum=sha256:").And.Contain("RUN curl -fsSL https://example.com/releases/tool-1.2.tar.gz -o /tmp/tool-1.2.tar.gz"));
        });
    }

    [Test]
    public void Given_the_classic_builder_Then_the_fix_does_not_offer_add_checksum()
    {
        using var scenario = LintScenario.Create("FROM debian:12\nADD http://example.com/tool /usr/local/bin/tool\n");

        var findings = scenario.Lint(BuilderKind.Classic);

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Fix, Does.Not.Contain("ADD --checksum").And.Contain("sha256sum -c"));
    }

    [Test]
    public void Given_add_of_a_git_branch_Then_it_is_found_and_a_pinned_commit_is_suggested()
    {
        using var scenario = LintScenario.Create("FROM debian:12\n\nADD https://github.com/example/lib.git#main /src/lib\n");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(3));
        Assert.That(findings[0].Fix, Does.Contain("ADD https://github.com/example/lib.git#COMMIT_SHA /src/lib"));
    }

    [TestCase("ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/")]
    [TestCase("ADD https://github.com/example/lib.git#3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3 /src/lib")]
    [TestCase("ADD vendor.tar.gz /opt/")]
    [TestCase("COPY https-notes.txt /opt/")]
    public void Given_a_pinned_or_local_source_Then_nothing_is_found(string instruction)
    {
        using var scenario = LintScenario.Create($"FROM debian:12\n{instruction}\n").File("vendor.tar.gz").File("https-notes.txt");

        Assert.That(scenario.Lint(), Is.Empty);
    }
}
