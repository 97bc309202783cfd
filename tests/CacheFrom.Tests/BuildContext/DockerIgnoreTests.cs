using CacheFrom.BuildContext;

namespace CacheFrom.Tests.BuildContext;

/// <summary>.dockerignore rules as moby's ignorefile and patternmatcher read them (the docker CLI, BuildKit's fsutil).</summary>
public sealed class DockerIgnoreTests
{
    private static readonly DockerIgnore Rules = DockerIgnore.Parse(
    [
        "# build output",
        "bin",
        "**/*.log",
        "docs/?.md",
        "secrets/*",
        "!secrets/public.key",
        "/obj/",
    ], backslashIsSeparator: false);

    private static DockerIgnore Linux(params string[] lines) => DockerIgnore.Parse(lines, backslashIsSeparator: false);

    [TestCase("bin/app.dll")]
    [TestCase("bin")]
    [TestCase("trace.log")]
    [TestCase("deep/down/trace.log")]
    [TestCase("docs/a.md")]
    [TestCase("secrets/token")]
    [TestCase("obj/project.assets.json")]
    public void A_path_matched_by_a_rule_is_excluded(string path)
    {
        Assert.That(Rules.IsExcluded(path), Is.True);
    }

    [TestCase("src/bin.cs")]
    [TestCase("docs/ab.md")]
    [TestCase("secrets/public.key")]
    [TestCase("Dockerfile")]
    [TestCase("# build output")]
    public void A_path_no_rule_matches_or_a_negation_reincludes_is_kept(string path)
    {
        Assert.That(Rules.IsExcluded(path), Is.False);
    }

    [TestCase(@"file\*.txt", "file*.txt", true)]
    [TestCase(@"file\*.txt", "file1.txt", false)]
    [TestCase(@"file\*.txt", "file/a.txt", false)]
    [TestCase(@"what\?", "what?", true)]
    [TestCase(@"what\?", "whats", false)]
    [TestCase(@"\[draft\]", "[draft]", true)]
    public void A_backslash_escapes_the_next_character_on_linux(string pattern, string path, bool excluded)
    {
        Assert.That(Linux(pattern).IsExcluded(path), Is.EqualTo(excluded));
    }

    [Test]
    public void A_backslash_separates_paths_on_windows()
    {
        var rules = DockerIgnore.Parse([@"bin\Debug"], backslashIsSeparator: true);

        Assert.Multiple(() =>
        {
            Assert.That(rules.IsExcluded("bin/Debug/app.dll"), Is.True);
            Assert.That(rules.IsExcluded("bin/Release/app.dll"), Is.False);
        });
    }

    [TestCase("log[0-9].txt", "log7.txt", true)]
    [TestCase("log[0-9].txt", "logx.txt", false)]
    [TestCase("log[^0-9].txt", "logx.txt", true)]
    [TestCase("log[^0-9].txt", "log7.txt", false)]
    [TestCase("[abc]*/out", "b-service/out/x", true)]
    [TestCase("[abc]*/out", "d-service/out/x", false)]
    [TestCase(@"[\]x]", "]", true)]
    public void A_bracket_is_a_character_class(string pattern, string path, bool excluded)
    {
        Assert.That(Linux(pattern).IsExcluded(path), Is.EqualTo(excluded));
    }

    [TestCase("a/b", true)]
    [TestCase("a/x/b", true)]
    [TestCase("a/x/y/b", true)]
    [TestCase("a/x/y/b/file", true)]
    [TestCase("a/xb", false)]
    [TestCase("b", false)]
    [TestCase("c/a/b", false)]
    public void A_double_star_between_directories_matches_any_depth(string path, bool excluded)
    {
        Assert.That(Linux("a/**/b").IsExcluded(path), Is.EqualTo(excluded));
    }

    [Test]
    public void A_re_include_wins_only_when_it_comes_after_the_exclude()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Linux("docs", "!docs/keep.md").IsExcluded("docs/keep.md"), Is.False);
            Assert.That(Linux("!docs/keep.md", "docs").IsExcluded("docs/keep.md"), Is.True, "the last matching rule wins");
            Assert.That(Linux("*.md", "!README*.md", "README-secret.md").IsExcluded("README-secret.md"), Is.True);
            Assert.That(Linux("*.md", "!README*.md", "README-secret.md").IsExcluded("README.md"), Is.False);
        });
    }

    [TestCase("/obj", "obj/x")]
    [TestCase("./obj", "obj/x")]
    [TestCase("obj/", "obj/x")]
    [TestCase("obj//sub/./", "obj/sub/x")]
    [TestCase("tmp/../obj", "obj/x")]
    [TestCase("  obj  ", "obj/x")]
    [TestCase(" #notes", "#notes")]
    public void Patterns_are_cleaned_like_paths(string pattern, string path)
    {
        Assert.That(Linux(pattern).IsExcluded(path), Is.True);
    }

    [Test]
    public void Only_a_hash_in_the_first_column_starts_a_comment()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Linux("#comment", " #pattern").Patterns, Is.EqualTo(new[] { "#pattern" }));
            Assert.That(Linux("\uFEFF# after a byte order mark", "bin").Patterns, Is.EqualTo(new[] { "bin" }));
        });
    }

    [Test]
    public void A_trailing_double_star_matches_what_is_below_but_not_the_directory()
    {
        var rules = Linux("cache/**");

        Assert.Multiple(() =>
        {
            Assert.That(rules.IsExcluded("cache/a/b"), Is.True);
            Assert.That(rules.IsExcluded("cache"), Is.False);
        });
    }

    [TestCase("!", "'!' alone")]
    [TestCase("log[0-9.txt", "not a valid pattern")]
    [TestCase("log[].txt", "not a valid pattern")]
    [TestCase("trailing\\", "not a valid pattern")]
    public void An_invalid_pattern_fails_naming_its_line(string pattern, string expected)
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => DockerIgnore.Parse(["# ok", pattern], "app/.dockerignore", backslashIsSeparator: false));

        Assert.That(exception!.Message, Does.Contain("app/.dockerignore:2:").And.Contain(expected));
    }

    [Test]
    public void An_excluded_directory_can_be_skipped_unless_a_re_include_could_reach_inside_it()
    {
        var prefixes = Linux("node_modules", "docs", "!docs/keep/readme.md");
        var wildcard = Linux("docs", "!**/*.md");

        Assert.Multiple(() =>
        {
            Assert.That(prefixes.CanSkipDirectory("node_modules"), Is.True);
            Assert.That(prefixes.CanSkipDirectory("docs"), Is.False, "docs/keep/readme.md is re-included");
            Assert.That(prefixes.CanSkipDirectory("docs/keep"), Is.False);
            Assert.That(prefixes.CanSkipDirectory("docs/other"), Is.True);
            Assert.That(prefixes.CanSkipDirectory("src"), Is.False, "not excluded");
            Assert.That(wildcard.CanSkipDirectory("docs"), Is.False, "a wildcard re-include may match anywhere");
            Assert.That(Linux("docs").CanSkipDirectory("docs"), Is.True);
        });
    }
}
