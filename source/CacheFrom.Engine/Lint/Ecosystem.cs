namespace CacheFrom.Lint;

/// <summary>
/// A package manager whose dependency install can be cached apart from the sources: the files
/// it reads (<see cref="Manifests"/>, file-name patterns), the install to run after copying them,
/// and how deep in the context its manifests usually sit.
/// </summary>
internal sealed class Ecosystem
{
    private readonly string[] _markers;

    private Ecosystem(string name, string install, string fetch, int depth, string[] markers, params string[] manifests)
    {
        Name = name;
        Install = install;
        Fetch = fetch;
        Depth = depth;
        _markers = markers;
        Manifests = manifests;
    }

    public static Ecosystem Node { get; } = new("npm", "npm install", "npm ci", 0, ["package.json"],
        "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock", ".npmrc", ".yarnrc.yml");

    public static Ecosystem Python { get; } = new("pip", "pip install", "pip install -r requirements.txt", 0,
        ["requirements*.txt", "pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock", "uv.lock", "setup.py", "setup.cfg"],
        "requirements*.txt", "pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock", "uv.lock", "setup.py", "setup.cfg");

    public static Ecosystem Ruby { get; } = new("Bundler", "bundle install", "bundle install", 0, ["Gemfile"], "Gemfile", "Gemfile.lock");

    // Project files sit in src/App/App.csproj as often as at the root.
    public static Ecosystem DotNet { get; } = new("NuGet", "NuGet restore", "dotnet restore", 3,
        ["*.sln", "*.slnx", "*.csproj", "*.fsproj", "*.vbproj"],
        "*.sln", "*.slnx", "*.csproj", "*.fsproj", "*.vbproj", "Directory.Packages.props", "Directory.Build.props", "NuGet.config", "nuget.config", "global.json", "packages.lock.json");

    public static Ecosystem Go { get; } = new("Go modules", "module download", "go mod download", 0, ["go.mod"], "go.mod", "go.sum");

    public static Ecosystem Maven { get; } = new("Maven", "dependency download", "mvn dependency:go-offline", 0, ["pom.xml"], "pom.xml");

    public static Ecosystem Gradle { get; } = new("Gradle", "dependency download", "gradle dependencies", 0,
        ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"],
        "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties");

    public static Ecosystem Composer { get; } = new("Composer", "composer install", "composer install", 0, ["composer.json"], "composer.json", "composer.lock");

    public static Ecosystem Cargo { get; } = new("Cargo", "crate download", "cargo fetch", 0, ["Cargo.toml"], "Cargo.toml", "Cargo.lock");

    public string Name { get; }

    /// <summary>What the install is called in a finding: "the npm install", "the NuGet restore".</summary>
    public string Install { get; }

    /// <summary>The dependency-only step to suggest when the install is implicit in a build (<c>dotnet publish</c> restores).</summary>
    public string Fetch { get; }

    /// <summary>How many directory levels below the context root its manifests are looked for.</summary>
    public int Depth { get; }

    /// <summary>File-name patterns of the files the install reads, the first ones first.</summary>
    public IReadOnlyList<string> Manifests { get; }

    /// <summary>Whether the file marks the ecosystem: without one there is nothing to copy first (a lock file or .npmrc alone does not count).</summary>
    public bool IsMarker(string fileName) => _markers.Any(m => ContextFiles.Matches(m, fileName));

    public override string ToString() => Name;
}
