using CacheFrom.Lint;

namespace CacheFrom.Tests.Lint;

public sealed class PerCommitValueTests
{
    [TestCase("GIT_SHA", "anything")]
    [TestCase("COMMIT", "main")]
    [TestCase("CI_COMMIT_SHA", "x")]
    [TestCase("SOURCE_SHA", "x")]
    [TestCase("BUILD_NUMBER", "42")]
    [TestCase("BUILD_ID", "7")]
    [TestCase("CI_PIPELINE_ID", "1")]
    [TestCase("GITHUB_RUN_ID", "1")]
    [TestCase("BUILD_DATE", "today")]
    [TestCase("TIMESTAMP", "now")]
    [TestCase("build_number", "3")]
    public void A_per_commit_name_with_a_passed_value_is_per_commit(string name, string value) =>
        Assert.That(PerCommitValue.Reason(name, value), Is.EqualTo("its name says so"));

    [TestCase("3f2a1bc", "commit SHA")]
    [TestCase("3F2A1BC9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3", "commit SHA")]
    [TestCase("1.4.0-3f2a1bc", "holds a commit SHA")]
    [TestCase("v1.2-3-g3f2a1bc", "holds a commit SHA")]
    [TestCase("2026-12-01", "date")]
    [TestCase("2026-12-01T10:00:00Z", "date")]
    [TestCase("1.0.20261201", "date")]
    [TestCase("20261201T101500Z", "date")]
    [TestCase("1733050800", "long number")]
    public void A_value_that_changes_per_commit_is_per_commit_whatever_the_name(string value, string kind) =>
        Assert.That(PerCommitValue.Reason("ANYTHING", value), Does.Contain(kind));

    [TestCase("GIT_SHA", null)]
    [TestCase("GIT_SHA", "")]
    [TestCase("NODE_VERSION", "20.11.1")]
    [TestCase("APP_VERSION", "1.4.0")]
    [TestCase("RELEASE", "1.4.0-rc1")]
    [TestCase("PORT", "8080")]
    [TestCase("LEVEL", "1234567")]
    [TestCase("WORD", "defaced")]
    [TestCase("IMAGE_DIGEST", "24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d")]
    [TestCase("GITHUB_TOKEN", "3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3")]
    [TestCase("API_KEY", "3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3")]
    [TestCase("CACHE_BUST", "1733050800")]
    [TestCase("NOT_A_DATE", "20261399")]
    public void A_value_that_stays_the_same_a_credential_or_a_deliberate_cache_bust_is_not(string name, string? value) =>
        Assert.That(PerCommitValue.Reason(name, value), Is.Null);
}
