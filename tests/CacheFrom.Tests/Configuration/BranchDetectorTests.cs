using CacheFrom.Configuration;

namespace CacheFrom.Tests.Configuration;

/// <summary>Which branch a run is on: CI variables, then the checkout's HEAD. Temporary directories, no git needed.</summary>
public sealed class BranchDetectorTests
{
    private static readonly Dictionary<string, string?> NoCi = [];
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("cachefrom-branch-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [TestCase("GITHUB_HEAD_REF", "pr-branch")]
    [TestCase("GITHUB_REF_NAME", "main")]
    [TestCase("CI_COMMIT_REF_NAME", "gitlab-branch")]
    [TestCase("BUILD_SOURCEBRANCH", "refs/heads/azure-branch")]
    [TestCase("BRANCH_NAME", "jenkins-branch")]
    [TestCase("GIT_BRANCH", "teamcity-branch")]
    public void A_CI_variable_names_the_branch_even_in_a_detached_checkout(string variable, string value)
    {
        Repository(_root, head: "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39");

        Assert.That(BranchDetector.Detect(_root, new Dictionary<string, string?> { [variable] = value }), Is.EqualTo(value));
    }

    [Test]
    public void A_pull_requests_head_branch_wins_over_the_merge_ref_name()
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_REF_NAME"] = "42/merge", ["GITHUB_HEAD_REF"] = "feature/x" };

        Assert.That(BranchDetector.Detect(_root, environment), Is.EqualTo("feature/x"));
    }

    [Test]
    public void An_empty_CI_variable_is_skipped()
    {
        Repository(_root, head: "ref: refs/heads/from-head");
        var environment = new Dictionary<string, string?> { ["GITHUB_HEAD_REF"] = "", ["GITHUB_REF_NAME"] = null };

        Assert.That(BranchDetector.Detect(_root, environment), Is.EqualTo("from-head"));
    }

    [Test]
    public void Without_CI_variables_the_checkouts_HEAD_names_the_branch_from_a_subdirectory_too()
    {
        Repository(_root, head: "ref: refs/heads/feature/ABC_1");
        var subdirectory = Directory.CreateDirectory(Path.Combine(_root, "src", "app")).FullName;

        Assert.That(BranchDetector.Detect(subdirectory, NoCi), Is.EqualTo("feature/ABC_1"));
    }

    [Test]
    public void A_detached_HEAD_names_no_branch() =>
        Assert.That(BranchDetector.Detect(Repository(_root, head: "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"), NoCi), Is.Null);

    [Test]
    public void A_git_worktree_names_its_own_branch_not_an_outer_checkouts()
    {
        // An outer checkout on main holds a worktree (its .git is a file pointing at the repository's worktrees/NAME).
        Repository(_root, head: "ref: refs/heads/main");
        var gitdir = Directory.CreateDirectory(Path.Combine(_root, ".git", "worktrees", "wt")).FullName;
        File.WriteAllText(Path.Combine(gitdir, "HEAD"), "ref: refs/heads/feature-in-worktree\n");
        var worktree = Directory.CreateDirectory(Path.Combine(_root, "wt")).FullName;
        File.WriteAllText(Path.Combine(worktree, ".git"), "gitdir: ../.git/worktrees/wt\n");

        Assert.That(BranchDetector.Detect(worktree, NoCi), Is.EqualTo("feature-in-worktree"));
    }

    [Test]
    public void No_checkout_and_no_CI_variable_names_no_branch() =>
        Assert.That(BranchDetector.Detect(_root, NoCi), Is.Null);

    private static string Repository(string directory, string head)
    {
        Directory.CreateDirectory(Path.Combine(directory, ".git"));
        File.WriteAllText(Path.Combine(directory, ".git", "HEAD"), head + "\n");
        return directory;
    }
}
