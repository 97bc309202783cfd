using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class MissingDockerIgnoreRuleTests
{
    private const string CopyAll = """
        FROM node:20
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        RUN npm run build
        """;

    [Test]
    public void Given_a_checkout_with_no_dockerignore_Then_the_whole_context_copy_is_named_with_the_file_to_add()
    {
        using var scenario = LintScenario.Create(CopyAll).File("package.json", "{}").File("package-lock.json", "{}").GitCheckout().Folder("node_modules/left-pad");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That($"{findings[0].Path}:{findings[0].Line} {findings[0].Rule}", Is.EqualTo("Dockerfile:5 missing-dockerignore"));
            Assert.That(findings[0].Message, Does.Contain("no .dockerignore").And.Contain(".git and node_modules"));
            Assert.That(findings[0].Fix, Does.EndWith("with the lines: .git, node_modules"));
        });
    }

    [Test]
    public void Given_a_dockerignore_that_forgets_node_modules_Then_only_node_modules_is_named()
    {
        using var scenario = LintScenario.Create(CopyAll).File("package.json", "{}").File("package-lock.json", "{}")
            .GitCheckout().Folder("node_modules/left-pad").File(".dockerignore", "# the repository\n.git\n*.md\n");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Message, Does.StartWith("the .dockerignore does not exclude node_modules"));
        Assert.That(findings[0].Fix, Is.EqualTo("add these lines to the context's .dockerignore: node_modules"));
    }

    [Test]
    public void Given_dotnet_build_outputs_next_to_a_project_Then_they_are_named_as_globs()
    {
        using var scenario = LintScenario.Create("""
            FROM mcr.microsoft.com/dotnet/sdk:9.0
            WORKDIR /src
            COPY src/App/App.csproj src/App/
            RUN dotnet restore src/App/App.csproj
            COPY . .
            RUN dotnet publish src/App/App.csproj --no-restore -o /out
            """).File("src/App/App.csproj", "<Project/>").Folder("src/App/bin/Debug").Folder("src/App/obj");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(5));
        Assert.That(findings[0].Fix, Does.EndWith("with the lines: **/bin, **/obj"));
    }

    [Test]
    public void Given_a_git_worktree_whose_git_is_a_file_Then_it_is_found_too()
    {
        using var scenario = LintScenario.Create("FROM busybox\nCOPY . /app\n").File(".git", "gitdir: /elsewhere/.git/worktrees/x\n");

        Assert.That(scenario.Lint().Select(f => (f.Rule, f.Line)), Is.EqualTo(new[] { ("missing-dockerignore", 2) }));
    }

    [Test]
    public void Given_no_whole_context_copy_Then_a_missing_dockerignore_is_not_reported()
    {
        using var scenario = LintScenario.Create("FROM busybox\nCOPY app/ /app/\n").Folder("app").GitCheckout().Folder("node_modules");

        Assert.That(scenario.Lint(), Is.Empty, "only app/ is copied: .git cannot reach the image");
    }

    [Test]
    public void Given_a_dockerignore_that_excludes_them_Then_nothing_is_found()
    {
        using var scenario = LintScenario.Create(CopyAll).File("package.json", "{}").File("package-lock.json", "{}")
            .GitCheckout().Folder("node_modules/left-pad").File(".dockerignore", ".git\n**/node_modules\n");

        Assert.That(scenario.Lint(), Is.Empty);
    }
}
