using CacheFrom.Configuration;
using CacheFrom.Hosting;
using CacheFrom.Tests.Hosting;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Configuration;

public sealed class CacheFetchParameterTests
{
    [TestCase("auto", CacheFetchMode.Auto)]
    [TestCase(" Always ", CacheFetchMode.Always)]
    [TestCase("NEVER", CacheFetchMode.Never)]
    public void Docker_cache_fetch_accepts_auto_always_and_never_in_any_case(string value, CacheFetchMode expected) =>
        Assert.That(CacheFromParameters.ParseCacheFetchMode(value), Is.EqualTo(expected));

    [Test]
    public void An_unknown_docker_cache_fetch_value_fails_with_the_accepted_values()
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromParameters.ParseCacheFetchMode("sometimes"));

        Assert.That(exception!.Message, Is.EqualTo("Invalid CacheFrom parameters: docker-cache-fetch 'sometimes' is not valid; use auto, always or never."));
    }

    [Test]
    public void Docker_cache_fetch_is_read_from_the_argument_or_DOCKER_CACHE_FETCH()
    {
        var fromArgument = ParameterReader.Read(new FakeParameterSource(new() { ["docker-cache-fetch"] = ["never"] }), Path.GetTempPath(), new Dictionary<string, string?>());
        var fromEnvironment = ParameterReader.Read(new FakeParameterSource([]), Path.GetTempPath(), new Dictionary<string, string?> { ["DOCKER_CACHE_FETCH"] = "always" });

        Assert.Multiple(() =>
        {
            Assert.That(CacheFromParameterTable.CacheFetch.EnvironmentVariable, Is.EqualTo("DOCKER_CACHE_FETCH"));
            Assert.That(CacheFromParameterTable.CacheFetch.MemberName, Is.EqualTo("CacheFetch"));
            Assert.That(fromArgument.CacheFetch, Is.EqualTo(CacheFetchMode.Never));
            Assert.That(fromEnvironment.CacheFetch, Is.EqualTo(CacheFetchMode.Always));
        });
    }

    [Test]
    public void Docker_cache_fetch_defaults_to_auto()
    {
        using var scenario = LintScenario.Create("FROM busybox\n");
        var options = scenario.Options();

        Assert.Multiple(() =>
        {
            Assert.That(CacheFromDefaults.CacheFetch, Is.EqualTo(CacheFetchMode.Auto));
            Assert.That(options.CacheFetch, Is.Null);
            Assert.That(CacheFromSettings.Resolve(options).CacheFetch, Is.EqualTo(CacheFetchMode.Auto));
            Assert.That(CacheFromParameterTable.CacheFetch.DefaultText, Is.EqualTo("auto"));
        });
    }

    [Test]
    public void A_cache_fetch_mode_outside_the_enum_is_reported_with_the_other_problems()
    {
        using var scenario = LintScenario.Create("FROM busybox\n");
        var options = scenario.Options();
        options.CacheFetch = (CacheFetchMode)7;
        options.Image = "";

        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromSettings.Resolve(options));

        Assert.That(exception!.Problems, Has.Count.EqualTo(2));
        Assert.That(exception.Problems, Has.Some.EqualTo("docker-cache-fetch '7' is not valid; use auto, always or never"));
    }
}
