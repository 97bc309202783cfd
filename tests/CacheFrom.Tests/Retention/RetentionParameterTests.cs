using CacheFrom.Configuration;
using CacheFrom.Hosting;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Hosting;

namespace CacheFrom.Tests.Retention;

/// <summary>docker-cache-ttl and docker-prune-apply as every host reads them.</summary>
public sealed class RetentionParameterTests
{
    [TestCase("14d", 14 * 24.0)]
    [TestCase("14", 14 * 24.0)]
    [TestCase("36h", 36.0)]
    [TestCase("90m", 1.5)]
    [TestCase("2w", 14 * 24.0)]
    [TestCase(" 1.5D ", 36.0)]
    public void A_ttl_is_a_number_and_a_unit(string value, double hours)
    {
        Assert.That(CacheFromParameters.ParseDuration("docker-cache-ttl", value), Is.EqualTo(TimeSpan.FromHours(hours)));
    }

    [TestCase("")]
    [TestCase("0d")]
    [TestCase("-3d")]
    [TestCase("fortnight")]
    [TestCase("3y")]
    [TestCase("500000w")]
    public void An_invalid_ttl_is_one_message_naming_the_parameter(string value)
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromParameters.ParseDuration("docker-cache-ttl", value));

        Assert.That(exception!.Problems, Is.EqualTo(new[] { $"docker-cache-ttl '{value}' is not valid; use a duration longer than zero such as 14d, 36h, 90m or 2w (a bare number is days)" }));
    }

    [Test]
    public void By_default_the_ttl_is_two_weeks_and_PruneCache_is_a_dry_run()
    {
        using var context = new TemporaryContext("FROM scratch\n");
        var settings = CacheFromSettings.Resolve(new CacheFromOptions { Image = "app", Tag = "main", Context = context.Directory, WorkingDirectory = context.Directory });

        Assert.Multiple(() =>
        {
            Assert.That(settings.CacheTtl, Is.EqualTo(TimeSpan.FromDays(14)));
            Assert.That(CacheFromDefaults.CacheTtl, Is.EqualTo(TimeSpan.FromDays(14)));
            Assert.That(settings.PruneApply, Is.False);
        });
    }

    [Test]
    public void The_host_parameters_reach_the_settings()
    {
        using var context = new TemporaryContext("FROM scratch\n");
        var source = new FakeParameterSource(new() { ["docker-image"] = ["app"], ["docker-tag"] = ["main"], ["docker-cache-ttl"] = ["3d"], ["docker-prune-apply"] = [] });

        var options = ParameterReader.Read(source, context.Directory, new Dictionary<string, string?>());

        Assert.Multiple(() =>
        {
            Assert.That(options.CacheTtl, Is.EqualTo(TimeSpan.FromDays(3)));
            Assert.That(options.PruneApply, Is.True, "a bare --docker-prune-apply deletes");
        });
    }

    [Test]
    public void The_environment_spells_them_DOCKER_CACHE_TTL_and_DOCKER_PRUNE_APPLY()
    {
        using var context = new TemporaryContext("FROM scratch\n");
        var environment = new Dictionary<string, string?> { ["DOCKER_IMAGE"] = "app", ["DOCKER_CACHE_TTL"] = "36h", ["DOCKER_PRUNE_APPLY"] = "false" };

        var options = ParameterReader.Read(new FakeParameterSource([]), context.Directory, environment);

        Assert.Multiple(() =>
        {
            Assert.That(options.CacheTtl, Is.EqualTo(TimeSpan.FromHours(36)));
            Assert.That(options.PruneApply, Is.False);
        });
    }

    [Test]
    public void A_ttl_set_in_code_must_be_longer_than_zero()
    {
        using var context = new TemporaryContext("FROM scratch\n");

        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFromSettings.Resolve(new CacheFromOptions
        {
            Image = "app", Tag = "main", Context = context.Directory, WorkingDirectory = context.Directory, CacheTtl = TimeSpan.Zero,
        }));

        Assert.That(exception!.Problems, Does.Contain("docker-cache-ttl must be longer than zero (it is 00:00:00)"));
    }

    [Test]
    public void PruneCache_is_a_target_apart_from_DockerPublish_with_the_prune_verb()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CacheFromStepTable.PruneCache.Verb, Is.EqualTo("prune"));
            Assert.That(CacheFromStepTable.PruneCache.Step, Is.Null);
            Assert.That(CacheFromStepTable.DockerPublish.DependsOn, Does.Not.Contain("PruneCache"));
            Assert.That(CacheFromStepTable.PruneCache.DependsOn, Is.Empty);
            Assert.That(CacheFromStepTable.Find("prune"), Is.SameAs(CacheFromStepTable.PruneCache));
        });
    }
}
