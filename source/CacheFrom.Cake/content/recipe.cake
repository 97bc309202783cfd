// The CacheFrom recipe without its #addin line: load CacheFrom.Engine first (the package's
// addins.cake, or a #r list of the published engine when loading from source), then this file.
// It registers the tasks LoadTarball, ResolveCache, BuildBuilderStage, BuildFinalStage, PushAll,
// SaveTarball and DockerPublish; the script that loads it calls RunTarget.
#load "parameters.cake"
#load "logging.cake"
#load "run.cake"
#load "tasks.cake"
