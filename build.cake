// The repository's Cake entry point, run on a fresh machine as
//   dotnet tool restore && dotnet cake build.cake --target=DockerPublish [--docker-image=… …]
// One script: the recipe from source, run by the cachefrom tool built from source (a user's build
// loads the recipe package instead, which brings the tool with #tool), over the sample app. The
// tool is built into artifacts/ (gitignored) when a source changed; the development engine is
// started when no engine answers.
#load "source/CacheFrom.Cake/content/recipe.cake"

var root = Context.Environment.WorkingDirectory;
var toolProject = root.CombineWithFilePath("source/CacheFrom.Tool/CacheFrom.Tool.csproj");
var toolOutput = root.Combine("artifacts/cachefrom-tool");
var toolStamp = root.CombineWithFilePath("artifacts/cachefrom-tool.stamp");
var toolExecutable = toolOutput.CombineWithFilePath(IsRunningOnWindows() ? "cachefrom.exe" : "cachefrom");

if (!FileExists(toolProject))
    throw new CakeException($"Run build.cake from the repository's root (no {toolProject} here).");

// The sample's defaults, below arguments and environment variables. With a local image name the
// engine's default cache is the tarball store; --docker-image=127.0.0.1:5000/sample uses the registry.
CacheFromRecipe.Default("docker-image", "cachefrom/sample");
CacheFromRecipe.Default("docker-context", "samples/webapp");

// Asked in the recipe's Setup, only when a recipe task is about to run.
CacheFromRecipe.UseTool(context => BuildToolWhenStale());

// Runs after the recipe's Setup, which checked the parameters: a bad one starts no engine.
Setup(context => StartEngineWhenNoneAnswers());

RunTarget(Argument("target", "DockerPublish"));

FilePath BuildToolWhenStale()
{
    var newest = NewestToolInput();
    if (FileExists(toolExecutable) && FileExists(toolStamp)
        && DateTime.TryParse(System.IO.File.ReadAllText(toolStamp.FullPath), null, System.Globalization.DateTimeStyles.RoundtripKind, out var stamp)
        && stamp >= newest)
    {
        Verbose("The cachefrom tool in {0} is up to date", toolOutput);
        return toolExecutable;
    }

    Information("Building the cachefrom tool from source into {0}", toolOutput);
    DotNetBuild(toolProject.FullPath, new DotNetBuildSettings
    {
        Configuration = "Release",
        OutputDirectory = toolOutput,
        NoLogo = true,
        Verbosity = DotNetVerbosity.Quiet,
    });
    System.IO.File.WriteAllText(toolStamp.FullPath, newest.ToString("O"));
    return toolExecutable;
}

// The tool's sources, the engine's and the session's, and the build files that shape them; bin/ and
// obj/ change with every build and are left out.
DateTime NewestToolInput()
{
    var separator = System.IO.Path.DirectorySeparatorChar;
    return new[] { "source/CacheFrom.Tool", "source/CacheFrom.Engine", "source/CacheFrom.BuildKit.Session" }
        .SelectMany(directory => System.IO.Directory.EnumerateFiles(root.Combine(directory).FullPath, "*", System.IO.SearchOption.AllDirectories))
        .Where(file => !file.Contains($"{separator}bin{separator}", StringComparison.Ordinal) && !file.Contains($"{separator}obj{separator}", StringComparison.Ordinal))
        .Append(root.CombineWithFilePath("Directory.Build.props").FullPath)
        .Append(root.CombineWithFilePath("Directory.Packages.props").FullPath)
        .Where(System.IO.File.Exists)
        .Max(file => System.IO.File.GetLastWriteTimeUtc(file));
}

void StartEngineWhenNoneAnswers()
{
    if (DockerAnswers())
        return;
    Information("No Docker engine answers: starting the development engine (scripts/dev-engine.sh start).");
    var (file, arguments) = WithoutDockerCliContext("bash", "scripts/dev-engine.sh start");
    var exitCode = StartProcess(file, new ProcessSettings { Arguments = arguments, WorkingDirectory = root });
    if (exitCode != 0)
        throw new CakeException(exitCode, $"scripts/dev-engine.sh start failed (exit code {exitCode}).");
}

// The engine CacheFrom uses is DOCKER_HOST's or the local socket's. A docker CLI context
// (DOCKER_CONTEXT) is not followed by the engine, so the probe and dev-engine.sh run without it
// (unset, not empty: the 20.10 CLI reads an empty DOCKER_CONTEXT as a context named "").
(string File, string Arguments) WithoutDockerCliContext(string file, string arguments) =>
    string.IsNullOrEmpty(EnvironmentVariable("DOCKER_CONTEXT")) ? (file, arguments) : ("env", $"-u DOCKER_CONTEXT {file} {arguments}");

bool DockerAnswers()
{
    try
    {
        var (file, arguments) = WithoutDockerCliContext("docker", "info");
        return StartProcess(file, new ProcessSettings
        {
            Arguments = arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Timeout = 30_000,
        }) == 0;
    }
    catch (Exception exception) when (exception is CakeException or System.ComponentModel.Win32Exception)
    {
        Verbose("docker info did not run: {0}", exception.Message);
        return false;
    }
}
