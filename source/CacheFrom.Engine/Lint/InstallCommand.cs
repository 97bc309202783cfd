using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint;

/// <summary>
/// A dependency install inside a <c>RUN</c>: <c>npm ci</c>, <c>pip install -r …</c>, <c>dotnet restore</c>…
/// <see cref="Implicit"/> marks a build that installs as a side effect (<c>dotnet publish</c>,
/// <c>go build</c>, <c>cargo build</c>, <c>mvn package</c>): it only counts when no explicit install came before.
/// </summary>
internal sealed record InstallCommand(Ecosystem Ecosystem, string Command, bool Implicit)
{
    public static IReadOnlyList<InstallCommand> In(DockerfileInstruction run)
    {
        var found = new List<InstallCommand>();
        foreach (var words in ShellCommands.Of(run))
        {
            if (Recognise(words) is { } install)
                found.Add(install);
        }

        return found;
    }

    private static InstallCommand? Recognise(IReadOnlyList<string> w)
    {
        var program = ShellCommands.Program(w[0]);
        var verb = w.Count > 1 ? w[1] : "";
        var rest = w.Skip(2).ToList();
        switch (program)
        {
            case "npm" when verb == "ci":
            case "npm" when verb is "install" or "i" && OnlyFlags(rest) && !rest.Any(a => a is "-g" or "--global"):
            case "pnpm" when verb is "install" or "i" or "fetch" && OnlyFlags(rest):
            case "yarn" when (verb == "install" && OnlyFlags(rest)) || (w.Count == 1) || (verb.StartsWith('-') && OnlyFlags(w.Skip(1))):
            case "bun" when verb is "install" or "i" && OnlyFlags(rest):
                return new(Ecosystem.Node, Shown(w), false);
            case "pip" or "pip3" when verb == "install" && InstallsFromContext(rest):
            case "poetry" when verb == "install":
            case "pipenv" when verb is "install" or "sync":
            case "uv" when verb == "sync":
            case "uv" when verb == "pip" && rest.FirstOrDefault() == "sync":
            case "uv" when verb == "pip" && rest.FirstOrDefault() == "install" && InstallsFromContext(rest.Skip(1).ToList()):
                return new(Ecosystem.Python, Shown(w), false);
            case "python" or "python3" when verb == "-m" && rest.FirstOrDefault() is "pip" or "pip3" && rest.ElementAtOrDefault(1) == "install" && InstallsFromContext(rest.Skip(2).ToList()):
                return new(Ecosystem.Python, Shown(w), false);
            case "bundle" when verb == "install" || w.Count == 1:
                return new(Ecosystem.Ruby, Shown(w), false);
            case "dotnet" when verb == "restore":
                return new(Ecosystem.DotNet, Shown(w), false);
            case "dotnet" when verb is "build" or "publish" or "test" or "pack" && !rest.Contains("--no-restore"):
                return new(Ecosystem.DotNet, Shown(w), true);
            case "go" when verb == "mod" && rest.FirstOrDefault() == "download":
                return new(Ecosystem.Go, Shown(w), false);
            case "go" when verb is "build" or "install" or "test" or "vet":
                return new(Ecosystem.Go, Shown(w), true);
            case "mvn" or "mvnw":
                return w.Skip(1).Any(a => a.StartsWith("dependency:", StringComparison.Ordinal))
                    ? new(Ecosystem.Maven, Shown(w), false)
                    : w.Skip(1).Any(a => !a.StartsWith('-')) ? new(Ecosystem.Maven, Shown(w), true) : null;
            case "gradle" or "gradlew":
                return w.Skip(1).Any(a => a is "dependencies" or "--refresh-dependencies" or "resolveDependencies")
                    ? new(Ecosystem.Gradle, Shown(w), false)
                    : w.Skip(1).Any(a => !a.StartsWith('-')) ? new(Ecosystem.Gradle, Shown(w), true) : null;
            case "composer" when verb == "install":
                return new(Ecosystem.Composer, Shown(w), false);
            case "cargo" when verb == "fetch":
                return new(Ecosystem.Cargo, Shown(w), false);
            case "cargo" when verb is "build" or "install" or "test":
                return new(Ecosystem.Cargo, Shown(w), true);
            default:
                return null;
        }
    }

    /// <summary><c>npm install express</c> adds a package; <c>npm install --omit=dev</c> installs the manifest's.</summary>
    private static bool OnlyFlags(IEnumerable<string> words) => words.All(a => a.StartsWith('-'));

    /// <summary><c>pip install -r requirements.txt</c>, <c>pip install .</c> or <c>-e .</c> read the context; <c>pip install flask</c> does not.</summary>
    private static bool InstallsFromContext(List<string> words) =>
        words.Any(a => a is "-r" or "--requirement" or "." or "./" || a.StartsWith("--requirement=", StringComparison.Ordinal)
            || a.StartsWith("-r", StringComparison.Ordinal) && a.Length > 2 && !a.StartsWith("--", StringComparison.Ordinal));

    private static string Shown(IReadOnlyList<string> words)
    {
        var text = string.Join(' ', words.Take(6));
        return words.Count > 6 ? text + " …" : text;
    }
}
