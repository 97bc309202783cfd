using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Lint;

public sealed class CopyAllBeforeInstallRuleTests
{
    [Test]
    public void Given_copy_dot_before_npm_ci_Then_the_copy_line_is_named_with_the_manifests_to_copy_first()
    {
        using var scenario = LintScenario.Create("""
            FROM node:20
            WORKDIR /app
            COPY . .
            RUN npm ci
            CMD ["node", "server.js"]
            """).File("package.json", "{}").File("package-lock.json", "{}").File(".dockerignore", "node_modules\n");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(findings[0].Rule, Is.EqualTo("copy-all-before-install"));
            Assert.That($"{findings[0].Path}:{findings[0].Line}", Is.EqualTo("Dockerfile:3"));
            Assert.That(findings[0].Message, Does.Contain("before npm ci (line 4)"));
            Assert.That(findings[0].Fix, Does.StartWith("COPY package.json package-lock.json ./ first, then RUN npm ci, then COPY . . for the rest"));
        });
    }

    [TestCase("COPY ./ /app/", "RUN bundle install", "Gemfile")]
    [TestCase("ADD . /srv", "RUN pip install --no-cache-dir -r requirements.txt", "requirements.txt")]
    [TestCase("COPY . .", "RUN go mod download", "go.mod")]
    [TestCase("COPY . .", "RUN composer install --no-dev", "composer.json")]
    [TestCase("COPY . .", "RUN cargo build --release", "Cargo.toml")]
    [TestCase("COPY . .", "RUN ./mvnw -B package", "pom.xml")]
    public void Given_the_whole_context_copied_before_another_ecosystems_install_Then_it_is_found(string copy, string run, string manifest)
    {
        using var scenario = LintScenario.Create($"""
            FROM base
            WORKDIR /app
            {copy}
            {run}
            """).File(manifest).File(".dockerignore", ".git\n");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(3));
        Assert.That(findings[0].Fix, Does.StartWith($"COPY {manifest}"));
    }

    [Test]
    public void Given_a_dotnet_publish_after_copy_dot_with_nested_projects_Then_the_project_files_are_named_and_restore_suggested()
    {
        using var scenario = LintScenario.Create("""
            FROM mcr.microsoft.com/dotnet/sdk:9.0 AS build
            WORKDIR /src
            COPY . .
            RUN dotnet publish src/App/App.csproj -c Release -o /out

            FROM mcr.microsoft.com/dotnet/aspnet:9.0
            COPY --from=build /out /app
            """).File("App.sln").File("src/App/App.csproj", "<Project/>").File(".dockerignore", "**/bin\n**/obj\n");

        var findings = scenario.Lint();

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Line, Is.EqualTo(3));
        Assert.That(findings[0].Fix, Does.Contain("App.sln, src/App/App.csproj").And.Contain("then RUN dotnet restore"));
    }

    [Test]
    public void Given_the_manifests_copied_and_restored_first_Then_a_later_publish_after_copy_dot_is_fine()
    {
        using var scenario = LintScenario.Create("""
            FROM mcr.microsoft.com/dotnet/sdk:9.0 AS build
            WORKDIR /src
            COPY App.sln ./
            COPY src/App/App.csproj src/App/
            RUN dotnet restore
            COPY . .
            RUN dotnet publish src/App/App.csproj -c Release -o /out

            FROM mcr.microsoft.com/dotnet/aspnet:9.0
            COPY --from=build /out /app
            """).File("App.sln").File("src/App/App.csproj", "<Project/>").File(".dockerignore", "**/bin\n**/obj\n");

        Assert.That(scenario.Lint(), Is.Empty);
    }

    [Test]
    public void Given_copy_dot_in_a_base_stage_and_the_install_in_a_stage_built_from_it_Then_the_copy_is_named_once()
    {
        using var scenario = LintScenario.Create("""
            FROM node:20 AS sources
            WORKDIR /app
            COPY . .

            FROM sources AS deps
            RUN npm ci

            FROM sources
            COPY --from=deps /app/node_modules ./node_modules
            RUN npm install
            """).File("package.json", "{}").File(".dockerignore", "node_modules\n");

        var findings = scenario.Lint();

        Assert.That(findings.Select(f => (f.Rule, f.Line)), Is.EqualTo(new[] { ("copy-all-before-install", 3) }));
    }

    [TestCase("RUN npm install -g pnpm")]
    [TestCase("RUN npm install express")]
    [TestCase("RUN pip install flask")]
    [TestCase("RUN npm run build")]
    public void Given_copy_dot_before_a_command_that_does_not_install_the_manifests_dependencies_Then_nothing_is_found(string run)
    {
        using var scenario = LintScenario.Create($"""
            FROM base
            COPY . .
            {run}
            """).File("package.json", "{}").File("requirements.txt").File(".dockerignore", ".git\n");

        Assert.That(scenario.Lint(), Is.Empty);
    }

    [Test]
    public void Given_an_install_after_copy_dot_but_no_manifest_in_the_context_Then_nothing_is_found()
    {
        using var scenario = LintScenario.Create("""
            FROM node:20
            COPY . .
            RUN npm ci
            """).File("package.json", "{}").File(".dockerignore", "package.json\n");

        Assert.That(scenario.Lint(), Is.Empty, "a manifest the .dockerignore leaves out is not in the context");
    }
}
