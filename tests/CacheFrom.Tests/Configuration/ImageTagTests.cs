using CacheFrom.References;

namespace CacheFrom.Tests.Configuration;

public sealed class ImageTagTests
{
    [TestCase("feature/ABC_1", "feature-ABC_1")]
    [TestCase("refs/heads/main", "main")]
    [TestCase("fix//double  space", "fix-double-space")]
    [TestCase("-leading.and.trailing-", "leading.and.trailing")]
    [TestCase("üñí/çødé", "d")]
    [TestCase("///", "latest")]
    public void A_branch_name_becomes_a_legal_tag(string branch, string expected)
    {
        var tag = ImageTag.FromBranch(branch);

        Assert.Multiple(() =>
        {
            Assert.That(ImageTag.IsValid(tag), Is.True, tag);
            Assert.That(tag, Does.Not.Contain("--"));
            Assert.That(tag, Is.EqualTo(expected));
        });
    }

    [Test]
    public void A_long_branch_name_is_cut_to_the_tag_limit()
    {
        var tag = ImageTag.FromBranch(new string('a', 300));

        Assert.That(tag, Has.Length.EqualTo(ImageTag.MaxLength));
    }

    [Test]
    public void A_stage_tag_of_a_maximal_tag_stays_legal_and_distinct()
    {
        var first = StageTagScheme.StageTag(new string('a', 128), "builder");
        var second = StageTagScheme.StageTag(new string('a', 127) + "b", "builder");

        Assert.Multiple(() =>
        {
            Assert.That(ImageTag.IsValid(first), Is.True, first);
            Assert.That(first, Does.EndWith("--builder"));
            Assert.That(first, Is.Not.EqualTo(second));
        });
    }
}
