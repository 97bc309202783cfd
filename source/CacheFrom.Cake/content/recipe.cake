// The CacheFrom recipe without its #tool line: its tasks run the cachefrom dotnet tool, which the
// package's tools.cake installs (or which the script points at with CacheFromRecipe.UseTool, as
// this repository's build.cake does with the tool built from source). It registers the tasks
// LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll, SaveTarball and
// DockerPublish and a Setup<CacheFromCakeRun>; the script that loads it calls RunTarget.
#load "cachefrom-tool.cake"
#load "run.cake"
#load "tasks.cake"
