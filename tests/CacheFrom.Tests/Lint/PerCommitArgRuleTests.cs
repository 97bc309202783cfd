using CacheFrom.Configuration;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class PerCommitArgRuleTests
{
    private const string Sha = "3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3";

    private const string EarlyArg = """
        FROM node:20
        ARG GIT_SHA
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        RUN npm run build
        LABEL org.opencontainers.image.revision=$GIT_SHA
        """;

    private static LintScenario NodeApp(string dockerfile) =>
        LintScenario.Create(dockerfile).File("package.json", "{}").File("package-lock.json", "{}").File(".dockerignore", ".git\nnode_modules\n");

    [Test]
    public void Given_a_commit_sha_arg_declared_above_the_install_Then_its_ARG_line_is_named_with_the_steps_it_reruns_and_where_to_move_it()
    {
        using var scenario = NodeApp(EarlyArg);

        var findings = scenario.Lint($"GIT_SHA={Sha}");

        Assert.That(findings, Has.Count.EqualTo(1));
        var finding = findings[0];
        Assert.Multiple(() =>
        {
            Assert.That(finding.Rule, Is.EqualTo("per-commit-arg"));
            Assert.That($"{finding.Path}:{finding.Line}", Is.EqualTo("Dockerfile:2"));
            Assert.That(finding.Message, Does.Contain("ARG GIT_SHA").And.Contain("RUN npm ci (line 5) and 2 more steps"));
            Assert.That(finding.Fix, Does.Contain("just above line 8"));
            Assert.That(finding.ToString(), Does.Not.Contain(Sha), "build arg values are never shown");
        });
    }

    [Test]
    public void Given_the_same_dockerfile_When_the_arg_is_not_passed_Then_nothing_is_found()
    {
        using var scenario = NodeApp(EarlyArg);

        Assert.That(scenario.Lint(), Is.Empty, "an ARG nobody passes has the same (empty) value on every run");
    }

    [TestCase("RELEASE=1.4.0-3f2a1bc", "commit SHA")]
    [TestCase("BUILT_AT=2026-12-01T10:00:00Z", "date")]
    [TestCase("STAMP=20261201", "date")]
    [TestCase("STARTED=1733050800", "long number")]
    public void Given_an_arg_whose_name_says_nothing_When_its_passed_value_changes_per_commit_Then_it_is_found_by_the_value(string buildArg, string kind)
    {
        var name = buildArg[..buildArg.IndexOf('=', StringComparison.Ordinal)];
        using var scenario = NodeApp(EarlyArg.Replace("GIT_SHA", name, StringComparison.Ordinal));

        var findings = scenario.Lint(buildArg);

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(2));
        Assert.That(findings[0].Message, Does.Contain(kind));
    }

    [TestCase("NODE_VERSION=20.11.1")]
    [TestCase("APP_VERSION=1.4.0")]
    [TestCase("NPM_TOKEN=3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3")]
    [TestCase("CACHEBUST=1733050800")]
    public void Given_an_arg_that_is_the_same_every_commit_or_meant_to_bust_the_cache_Then_nothing_is_found(string buildArg)
    {
        var name = buildArg[..buildArg.IndexOf('=', StringComparison.Ordinal)];
        using var scenario = NodeApp(EarlyArg.Replace("GIT_SHA", name, StringComparison.Ordinal));

        Assert.That(scenario.Lint(buildArg), Is.Empty);
    }

    [Test]
    public void Given_the_arg_declared_just_above_its_only_use_at_the_end_Then_nothing_is_found()
    {
        using var scenario = NodeApp("""
            FROM node:20
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci
            COPY . .
            RUN npm run build
            ARG GIT_SHA
            LABEL org.opencontainers.image.revision=$GIT_SHA
            RUN echo "$GIT_SHA" > /app/REVISION
            """);

        Assert.That(scenario.Lint($"GIT_SHA={Sha}"), Is.Empty);
    }

    [Test]
    public void Given_the_arg_read_early_by_a_cheap_step_above_the_install_Then_the_fix_says_to_move_that_use_down()
    {
        using var scenario = NodeApp("""
            FROM node:20
            ARG BUILD_NUMBER
            RUN echo "$BUILD_NUMBER" > /BUILD
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci
            """);

        var findings = scenario.Lint("BUILD_NUMBER=42");

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(2));
        Assert.That(findings[0].Message, Does.Contain("RUN npm ci (line 6) re-runs"), "copying two files is cheap; the install is not");
        Assert.That(findings[0].Fix, Does.Contain("move its use (line 3)"));
    }

    [Test]
    public void Given_an_arg_never_read_in_its_stage_Then_the_fix_says_to_remove_it()
    {
        using var scenario = NodeApp("""
            FROM node:20
            ARG GITHUB_RUN_ID
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci
            """);

        var findings = scenario.Lint("GITHUB_RUN_ID=12345678901");

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Message, Does.Contain("RUN npm ci (line 5) re-runs on every build"));
        Assert.That(findings[0].Fix, Does.Contain("nothing in this stage reads GITHUB_RUN_ID"));
    }

    [Test]
    public void Given_a_label_that_reads_the_arg_above_the_steps_Then_only_the_classic_builder_is_told()
    {
        // BuildKit keeps labels outside later steps' cache keys; the classic builder commits a new image for a label.
        using var scenario = NodeApp("""
            FROM node:20
            ARG GIT_SHA
            LABEL revision=$GIT_SHA
            COPY . .
            """);

        Assert.Multiple(() =>
        {
            Assert.That(scenario.Lint(BuilderKind.BuildKit, $"GIT_SHA={Sha}"), Is.Empty);
            Assert.That(scenario.Lint(BuilderKind.Classic, $"GIT_SHA={Sha}").Select(f => f.Line), Is.EqualTo(new[] { 2 }));
        });
    }

    [Test]
    public void Given_a_stage_the_final_image_does_not_use_Then_it_is_not_linted()
    {
        using var scenario = NodeApp("""
            FROM node:20 AS test
            ARG GIT_SHA
            RUN npm test

            FROM node:20
            COPY package.json package-lock.json ./
            RUN npm ci
            """);

        Assert.That(scenario.Lint($"GIT_SHA={Sha}"), Is.Empty);
    }
}
