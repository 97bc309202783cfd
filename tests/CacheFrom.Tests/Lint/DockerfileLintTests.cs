using CacheFrom.Configuration;
using CacheFrom.Lint;
using CacheFrom.Pipeline;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class DockerfileLintTests
{
    // A dead engine endpoint proves the lint's verdict comes before anything touches Docker.
    private const string NoEngine = "unix:///tmp/cachefrom-no-engine.sock";

    private const string Everything = """
        FROM debian:12
        ARG GIT_SHA
        RUN apt-get update
        ADD https://example.com/tool.tar.gz /opt/
        WORKDIR /app
        COPY . .
        RUN npm ci
        """;

    /// <summary>What careful authors write: manifests first, args late, update and install together, a .dockerignore.</summary>
    private const string Clean = """
        # syntax=docker/dockerfile:1
        ARG NODE_VERSION=20
        FROM node:${NODE_VERSION} AS deps
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN --mount=type=cache,target=/root/.npm npm ci

        FROM node:${NODE_VERSION} AS build
        RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
        WORKDIR /app
        COPY --from=deps /app/node_modules ./node_modules
        COPY . .
        RUN npm run build

        FROM node:${NODE_VERSION}-slim
        WORKDIR /app
        COPY --from=build /app/dist ./dist
        ARG GIT_SHA
        LABEL org.opencontainers.image.revision=$GIT_SHA
        CMD ["node", "dist/server.js"]
        """;

    private static LintScenario Antipatterns() =>
        LintScenario.Create(Everything).File("package.json", "{}").GitCheckout();

    [Test]
    public void Given_every_antipattern_Then_each_rule_reports_once_in_line_order()
    {
        using var scenario = Antipatterns();

        var findings = scenario.Lint("GIT_SHA=3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3");

        Assert.That(findings.Select(f => $"{f.Path}:{f.Line} {f.Rule}"), Is.EqualTo(new[]
        {
            "Dockerfile:2 per-commit-arg",
            "Dockerfile:3 apt-update-alone",
            "Dockerfile:4 add-url",
            "Dockerfile:6 copy-all-before-install",
            "Dockerfile:6 missing-dockerignore",
        }));
        Assert.That(findings.Select(f => f.Rule), Is.EquivalentTo(DockerfileLint.RuleIds), "the scenario covers every rule");
    }

    [Test]
    public void Given_a_clean_dockerfile_with_a_per_commit_arg_passed_Then_nothing_is_found()
    {
        using var scenario = LintScenario.Create(Clean).File("package.json", "{}").File("package-lock.json", "{}")
            .GitCheckout().Folder("node_modules").File(".dockerignore", ".git\nnode_modules\n");

        Assert.That(scenario.Lint("GIT_SHA=3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3", "BUILD_NUMBER=812"), Is.Empty);
    }

    [TestCase(BuilderKind.BuildKit)]
    [TestCase(BuilderKind.Classic)]
    public void Given_the_sample_app_Then_nothing_is_found(BuilderKind builder)
    {
        // Its build arg (SLOW_SECONDS) is the same on every run, it copies Gemfile and Gemfile.lock before the
        // dependency step and only app/ after it, and its .dockerignore exists (nothing to leave out yet).
        using var scenario = LintScenario.Sample();

        Assert.That(scenario.Lint(builder, "SLOW_SECONDS=1"), Is.Empty);
    }

    [Test]
    public void Given_an_ignore_comment_naming_the_rule_on_the_line_above_Then_that_finding_is_silenced_and_no_other()
    {
        using var scenario = LintScenario.Create("""
            FROM debian:12
            # The index is refreshed on purpose in its own layer.
            # cachefrom:ignore apt-update-alone -- refreshed nightly by the base image job
            RUN apt-get update
            # cachefrom:ignore per-commit-arg
            ADD https://example.com/tool.tar.gz /opt/
            """);

        var findings = scenario.Lint();

        Assert.That(findings.Select(f => $"{f.Line} {f.Rule}"), Is.EqualTo(new[] { "6 add-url" }));
    }

    [Test]
    public void Given_a_bare_ignore_comment_or_a_list_Then_the_rules_it_covers_are_silenced()
    {
        using var scenario = LintScenario.Create("""
            FROM debian:12
            ARG GIT_SHA
            # cachefrom:ignore
            RUN apt-get update
            WORKDIR /app
            # cachefrom:ignore copy-all-before-install,missing-dockerignore
            COPY . .
            RUN npm ci
            """).File("package.json", "{}").GitCheckout();

        var findings = scenario.Lint("GIT_SHA=3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3");

        Assert.That(findings.Select(f => $"{f.Line} {f.Rule}"), Is.EqualTo(new[] { "2 per-commit-arg" }));
    }

    [Test]
    public void Given_lint_off_Then_nothing_is_found_and_the_mode_says_off()
    {
        using var scenario = Antipatterns();

        var result = LintScenario.Run(scenario.Options(LintMode.Off));

        Assert.That(result.Mode, Is.EqualTo(LintMode.Off));
        Assert.That(result.Findings, Is.Empty);
    }

    [Test]
    public void Given_lint_error_and_findings_When_the_pipeline_opens_Then_it_fails_with_one_message_listing_them_before_docker_is_touched()
    {
        using var scenario = Antipatterns();
        var options = scenario.Options(LintMode.Error);
        options.DockerHost = NoEngine;

        var exception = Assert.ThrowsAsync<DockerfileLintException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));

        Assert.That(exception!.Findings, Has.Count.EqualTo(4), "GIT_SHA is not passed: four rules remain");
        var lines = exception.Message.Split(Environment.NewLine);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("The Dockerfile lint found 4 problems and docker-lint is error:"));
            Assert.That(lines[1], Does.StartWith("  - Dockerfile:3: apt-update-alone: "));
            Assert.That(lines[2], Does.StartWith("  - Dockerfile:4: add-url: "));
            Assert.That(lines[3], Does.StartWith("  - Dockerfile:6: copy-all-before-install: "));
            Assert.That(lines[4], Does.StartWith("  - Dockerfile:6: missing-dockerignore: "));
            Assert.That(lines[^1], Does.Contain("# cachefrom:ignore RULE").And.Contain("docker-lint to warn"));
        });
    }

    [TestCase(LintMode.Warn)]
    [TestCase(LintMode.Off)]
    public void Given_lint_warn_or_off_and_findings_When_the_pipeline_opens_Then_it_goes_on_to_the_engine(LintMode mode)
    {
        using var scenario = Antipatterns();
        var options = scenario.Options(mode);
        options.DockerHost = NoEngine;

        Assert.ThrowsAsync<DockerEngineUnavailableException>(() => CachePipeline.OpenAsync(options, new TestLogger().Logger));
    }

    [Test]
    public void Given_a_dockerfile_in_a_subfolder_Then_findings_name_it_relative_to_the_working_directory()
    {
        using var scenario = LintScenario.Create("FROM busybox\n").File("docker/app.Dockerfile", "FROM debian:12\nRUN apt-get update\n");
        var options = scenario.Options();
        options.DockerFile = "docker/app.Dockerfile";

        var findings = LintScenario.Run(options).Findings;

        Assert.That(findings.Select(f => $"{f.Path}:{f.Line}"), Is.EqualTo(new[] { "docker/app.Dockerfile:2" }));
    }
}
