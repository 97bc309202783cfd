using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Configuration;

public sealed class LintParameterTests
{
    [TestCase("warn", LintMode.Warn)]
    [TestCase(" Off ", LintMode.Off)]
    [TestCase("ERROR", LintMode.Error)]
    public void Docker_lint_accepts_warn_off_and_error_in_any_case(string value, LintMode expected) =>
        Assert.That(CacheFromParameters.ParseLintMode(value), Is.EqualTo(expected));

    [Test]
    public void An_unknown_docker_lint_value_fails_with_the_accepted_values()
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromParameters.ParseLintMode("strict"));

        Assert.That(exception!.Message, Is.EqualTo("Invalid CacheFrom parameters: docker-lint 'strict' is not valid; use warn, off or error."));
    }

    [Test]
    public void Docker_lint_defaults_to_warn()
    {
        using var scenario = LintScenario.Create("FROM busybox\n");
        var options = scenario.Options();
        options.Lint = null;

        Assert.Multiple(() =>
        {
            Assert.That(CacheFromDefaults.Lint, Is.EqualTo(LintMode.Warn));
            Assert.That(CacheFromSettings.Resolve(options).Lint, Is.EqualTo(LintMode.Warn));
        });
    }

    [Test]
    public void A_lint_mode_outside_the_enum_is_reported_with_the_other_problems()
    {
        using var scenario = LintScenario.Create("FROM busybox\n");
        var options = scenario.Options();
        options.Lint = (LintMode)7;
        options.Image = "";

        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromSettings.Resolve(options));

        Assert.That(exception!.Problems, Has.Count.EqualTo(2));
        Assert.That(exception.Problems, Has.Some.EqualTo("docker-lint '7' is not valid; use warn, off or error"));
    }
}
