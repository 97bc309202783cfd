using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class AptUpdateAloneRuleTests
{
    [Test]
    public void Given_apt_get_update_in_a_run_of_its_own_Then_that_line_is_named_with_the_one_run_fix()
    {
        using var scenario = LintScenario.Create("""
            FROM debian:12
            RUN apt-get update
            RUN apt-get install -y --no-install-recommends curl
            """);

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(findings[0].ToString(), Does.StartWith("Dockerfile:2: apt-update-alone: apt-get update runs in a RUN of its own"));
            Assert.That(findings[0].Fix, Does.Contain("RUN apt-get update && apt-get install -y"));
        });
    }

    [TestCase("RUN apt-get -qq update && echo done")]
    [TestCase("RUN [\"apt-get\", \"update\"]")]
    [TestCase("RUN set -eux; \\\n    apt update")]
    public void Given_other_spellings_of_an_update_alone_Then_they_are_found(string run)
    {
        using var scenario = LintScenario.Create($"FROM debian:12\n{run}\nRUN apt-get install -y curl\n");

        var findings = scenario.Lint();

        Assert.That(findings.Select(f => (f.Rule, f.Line)), Is.EqualTo(new[] { ("apt-update-alone", 2) }));
    }

    [Test]
    public void Given_apk_update_alone_Then_the_fix_is_apk_add_no_cache()
    {
        using var scenario = LintScenario.Create("""
            FROM alpine:3.20
            RUN apk update
            RUN apk add curl
            """);

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(2));
        Assert.That(findings[0].Fix, Does.Contain("apk add --no-cache"));
    }

    [TestCase("RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")]
    [TestCase("RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y curl")]
    [TestCase("RUN apt-get update && apt-get -y upgrade")]
    [TestCase("RUN apt-get update && ./scripts/install-packages.sh")]
    [TestCase("RUN apk update && apk add curl")]
    [TestCase("RUN <<EOF\napt-get update\napt-get install -y curl\nEOF")]
    public void Given_an_update_with_an_install_or_a_script_in_the_same_run_Then_nothing_is_found(string run)
    {
        using var scenario = LintScenario.Create($"FROM debian:12\n{run}\n");

        Assert.That(scenario.Lint(), Is.Empty);
    }
}
