using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Tarballs;

public sealed class TarballStorePathTests
{
    private static readonly TarballStore Store = new("/store", new TestLogger().Logger);

    private static string RelativePath(string repository, string tag) =>
        Path.GetRelativePath("/store", Store.PathFor(ImageReference.Parse(repository, tag))).Replace('\\', '/');

    [Test]
    public void Repositories_that_differ_only_where_a_slash_or_underscore_is_get_their_own_folders()
    {
        Assert.That(RelativePath("team/b_c", "main"), Is.Not.EqualTo(RelativePath("team_b/c", "main")));
    }

    [Test]
    public void A_host_with_a_port_and_a_repository_with_the_same_segments_get_their_own_folders()
    {
        Assert.That(RelativePath("localhost:5000/app", "main"), Is.Not.EqualTo(RelativePath("localhost/5000/app", "main")));
    }

    [TestCase("cachefrom-sample", "main", "cachefrom-sample/main.tar")]
    [TestCase("team/b_c", "main", "team+b_c/main.tar")]
    [TestCase("registry.example.com:5000/team/app", "feature-x", "registry.example.com~5000+team+app/feature-x.tar")]
    public void A_repository_folder_reads_as_the_repository(string repository, string tag, string expected)
    {
        Assert.That(RelativePath(repository, tag), Is.EqualTo(expected));
    }
}
