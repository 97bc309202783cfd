#nullable enable

/// <summary>
/// The recipe's public face: its task builders (for <c>IsDependentOn</c>), defaults in code, and
/// where the cachefrom tool is. Precedence of a parameter: Cake argument, then environment
/// variable, then <see cref="Default"/>, then the engine's default (the tool applies them all).
/// </summary>
public static class CacheFromRecipe
{
    private static readonly List<KeyValuePair<string, string>> DefaultValues = new List<KeyValuePair<string, string>>();
    private static Func<ICakeContext, FilePath?> _locateTool = _ => null;

    public static CakeTaskBuilder LoadTarball { get; internal set; } = null!;

    public static CakeTaskBuilder ResolveCache { get; internal set; } = null!;

    public static CakeTaskBuilder BuildBuilderStage { get; internal set; } = null!;

    public static CakeTaskBuilder BuildFinalStage { get; internal set; } = null!;

    public static CakeTaskBuilder PushAll { get; internal set; } = null!;

    public static CakeTaskBuilder SaveTarball { get; internal set; } = null!;

    public static CakeTaskBuilder DockerPublish { get; internal set; } = null!;

    public static CakeTaskBuilder PruneCache { get; internal set; } = null!;

    /// <summary>The recipe's tasks, in the order DockerPublish runs them, then PruneCache.</summary>
    public static IReadOnlyList<CakeTaskBuilder> Tasks => new[] { LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll, SaveTarball, DockerPublish, PruneCache };

    /// <summary>
    /// A default for a parameter, below Cake's arguments and the environment, e.g. a repository's
    /// image: <c>CacheFromRecipe.Default("docker-image", "registry.example.com/team/app");</c>
    /// (passed to the tool as <c>--default NAME=VALUE</c>, which rejects names it does not know).
    /// </summary>
    public static void Default(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A parameter name such as docker-image is required", nameof(name));
        DefaultValues.RemoveAll(d => string.Equals(d.Key, name, StringComparison.OrdinalIgnoreCase));
        DefaultValues.Add(new KeyValuePair<string, string>(name, value ?? ""));
    }

    /// <summary>
    /// Where the cachefrom executable is, asked once when a recipe task is about to run (e.g. a
    /// build of it from source). Null, the default: the tool <c>#tool</c> installed, else PATH.
    /// </summary>
    public static void UseTool(Func<ICakeContext, FilePath?> locate) => _locateTool = locate ?? throw new ArgumentNullException(nameof(locate));

    internal static IReadOnlyList<KeyValuePair<string, string>> Defaults => DefaultValues;

    internal static FilePath? LocateTool(ICakeContext context) => _locateTool(context);
}

#nullable restore

// The tasks: the names, descriptions and dependencies of the engine's step table (CacheFromStepTable;
// a test holds the two together), each running one command of the cachefrom tool. Skip rules are
// the tool's, through the plan made in Setup. Compose them with your own tasks, e.g.
//   Task("Deploy").IsDependentOn(CacheFromRecipe.DockerPublish);

Setup<CacheFromCakeRun>(context => CacheFromCakeRun.Start(context, CacheFromRecipe.Tasks, CacheFromRecipe.LocateTool));

CacheFromRecipe.LoadTarball = Task("LoadTarball")
    .Description("Loads the stage images from the tarball store")
    .Does<CacheFromCakeRun>(run => run.Step("LoadTarball"));

CacheFromRecipe.ResolveCache = Task("ResolveCache")
    .Description("Picks each stage's best existing cache image: this tag, then each docker-cache-fallback tag")
    .IsDependentOn(CacheFromRecipe.LoadTarball)
    .Does<CacheFromCakeRun>(run => run.Step("ResolveCache"));

CacheFromRecipe.BuildBuilderStage = Task("BuildBuilderStage")
    .Description("Builds each intermediate stage with --target, cached from its winner and earlier stages")
    .IsDependentOn(CacheFromRecipe.ResolveCache)
    .Does<CacheFromCakeRun>(run => run.Step("BuildBuilderStage"));

CacheFromRecipe.BuildFinalStage = Task("BuildFinalStage")
    .Description("Builds the final image, cached from every stage image (builder first)")
    .IsDependentOn(CacheFromRecipe.BuildBuilderStage)
    .Does<CacheFromCakeRun>(run => run.Step("BuildFinalStage"));

CacheFromRecipe.PushAll = Task("PushAll")
    .Description("Pushes the final image, then the stage images and the cache history")
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .Does<CacheFromCakeRun>(run => run.Step("PushAll"));

// Cake has no "after" without a dependency (the table's After): SaveTarball runs after PushAll
// because DockerPublish lists PushAll first (Cake runs dependencies in the order they are declared).
CacheFromRecipe.SaveTarball = Task("SaveTarball")
    .Description("Saves the final and stage images into the tarball store, atomically")
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .Does<CacheFromCakeRun>(run => run.Step("SaveTarball"));

CacheFromRecipe.DockerPublish = Task("DockerPublish")
    .Description("The whole pipeline (steps whose mode is off are skipped), then the run's report")
    .IsDependentOn(CacheFromRecipe.LoadTarball)
    .IsDependentOn(CacheFromRecipe.ResolveCache)
    .IsDependentOn(CacheFromRecipe.BuildBuilderStage)
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .IsDependentOn(CacheFromRecipe.PushAll)
    .IsDependentOn(CacheFromRecipe.SaveTarball)
    .Does<CacheFromCakeRun>(run => run.Report());

// Not part of DockerPublish and needs no engine: run it as its own target (a scheduled job, or a
// step after the publish job), e.g. dotnet cake build.cake --target=PruneCache --docker-prune-apply.
CacheFromRecipe.PruneCache = Task("PruneCache")
    .Description("Deletes the cache-only tags and tarballs of branches last written more than docker-cache-ttl ago (a dry run unless docker-prune-apply)")
    .Does<CacheFromCakeRun>(run => run.Step("PruneCache"));
