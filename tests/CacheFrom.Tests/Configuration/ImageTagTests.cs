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

    [Test]
    public void Two_long_branch_names_that_share_the_first_128_characters_get_two_tags()
    {
        var prefix = "feature/" + new string('x', 130);
        var first = ImageTag.FromBranch(prefix + "/login");
        var second = ImageTag.FromBranch(prefix + "/logout");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(new[] { first, second }, Has.All.Length.EqualTo(ImageTag.MaxLength));
            Assert.That(ImageTag.IsValid(first) && ImageTag.IsValid(second), Is.True, $"{first} / {second}");
            Assert.That(first, Does.StartWith("feature-xxxx").And.Not.Contain("--"));
            Assert.That(ImageTag.FromBranch("refs/heads/" + prefix + "/login"), Is.EqualTo(first), "the same branch, the same tag");
        });
    }

    [Test]
    public void The_stage_tags_of_two_long_branches_stay_legal_and_apart()
    {
        var prefix = new string('b', 140);
        var first = StageTagScheme.StageTag(ImageTag.FromBranch(prefix + "1"), "builder");
        var second = StageTagScheme.StageTag(ImageTag.FromBranch(prefix + "2"), "builder");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(ImageTag.IsValid(first) && ImageTag.IsValid(second), Is.True, $"{first} / {second}");
            Assert.That(first, Does.EndWith("--builder").And.StartWith("bbbb"));
        });
    }

    [Test]
    public void A_stage_tag_with_a_long_stage_name_stays_legal_recognisable_and_distinct()
    {
        var stage = "dependencies-" + new string('s', 120);
        var first = StageTagScheme.StageTag("main", stage + "-one");
        var second = StageTagScheme.StageTag("main", stage + "-two");
        var longTag = StageTagScheme.StageTag(new string('t', 128), stage);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first, second, longTag }, Has.All.Length.LessThanOrEqualTo(ImageTag.MaxLength));
            Assert.That(ImageTag.IsValid(first) && ImageTag.IsValid(second) && ImageTag.IsValid(longTag), Is.True, $"{first} / {second} / {longTag}");
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(first, Does.StartWith("main-").And.Contain("--dependencies-sss"));
            Assert.That(longTag, Does.StartWith("tttt").And.Contain("--dependencies-sss"));
        });
    }

    [Test]
    public void A_stage_tag_that_fits_is_the_tag_and_the_stage()
    {
        Assert.That(StageTagScheme.StageTag("main", "builder"), Is.EqualTo("main--builder"));
    }
}
