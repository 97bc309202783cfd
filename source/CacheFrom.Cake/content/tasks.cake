using CacheFrom.Recording;

// The recipe's tasks: the same names, dependencies and skip rules as the NUKE targets. Each one
// calls one step of the engine's pipeline; compose them with your own tasks, e.g.
//   Task("Deploy").IsDependentOn(CacheFromRecipe.DockerPublish);

Setup<CacheFromRun>(context => CacheFromRun.Start(context));
Teardown<CacheFromRun>((context, run) => run.Dispose());

CacheFromRecipe.LoadTarball = Task("LoadTarball")
    .Description("Loads the stage images from the tarball store (docker-cache tarball or both).")
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.LoadTarball), "docker-cache is not tarball or both")
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.LoadTarball));

CacheFromRecipe.ResolveCache = Task("ResolveCache")
    .Description("Picks each stage's best existing cache image: this tag, then each docker-cache-fallback tag.")
    .IsDependentOn(CacheFromRecipe.LoadTarball)
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.ResolveCache), "docker-cache is none")
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.ResolveCache));

CacheFromRecipe.BuildBuilderStage = Task("BuildBuilderStage")
    .Description("Builds each intermediate stage with --target, cached from its winner and earlier stages.")
    .IsDependentOn(CacheFromRecipe.ResolveCache)
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.BuildBuilderStage))
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.BuildBuilderStage));

CacheFromRecipe.BuildFinalStage = Task("BuildFinalStage")
    .Description("Builds the final image, cached from every stage image (builder first).")
    .IsDependentOn(CacheFromRecipe.BuildBuilderStage)
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.BuildFinalStage))
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.BuildFinalStage));

CacheFromRecipe.PushAll = Task("PushAll")
    .Description("Pushes the final and stage images (docker-push).")
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.PushAll), "docker-push is false")
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.PushAll));

// Cake has no "after" without a dependency: SaveTarball runs after PushAll because DockerPublish
// lists PushAll first (Cake runs dependencies in the order they are declared).
CacheFromRecipe.SaveTarball = Task("SaveTarball")
    .Description("Saves the final and stage images into the tarball store, atomically (docker-cache tarball or both).")
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .WithCriteria<CacheFromRun>((context, run) => run.ShouldRun(PipelineStep.SaveTarball), "docker-cache is not tarball or both")
    .Does<CacheFromRun>((context, run) => run.RunAsync(PipelineStep.SaveTarball));

CacheFromRecipe.DockerPublish = Task("DockerPublish")
    .Description("The whole pipeline (load, resolve, build the stages, push, save; steps whose mode is off are skipped), then the run's report.")
    .IsDependentOn(CacheFromRecipe.LoadTarball)
    .IsDependentOn(CacheFromRecipe.ResolveCache)
    .IsDependentOn(CacheFromRecipe.BuildBuilderStage)
    .IsDependentOn(CacheFromRecipe.BuildFinalStage)
    .IsDependentOn(CacheFromRecipe.PushAll)
    .IsDependentOn(CacheFromRecipe.SaveTarball)
    .Does<CacheFromRun>((context, run) => run.WriteReportAsync());
