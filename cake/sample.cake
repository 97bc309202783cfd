// The recipe from source over the sample app (samples/webapp), with the embedded default: tarball
// cache, no registry. Run it through build.cake, which publishes the engine and writes the #r list
// loaded here (a package user writes the #load nuget:… line of docs/cake.md instead of these two):
//   dotnet tool restore && dotnet cake build.cake --target=DockerPublish
#load "../artifacts/cake-engine/references.cake"
#load "../source/CacheFrom.Cake/content/recipe.cake"

// Cake's working directory is the script's folder (cake/); the sample's paths start at the repository's root.
Context.Environment.WorkingDirectory = MakeAbsolute(Directory(".."));

CacheFromRecipe.Configure((context, options) =>
{
    options.Image ??= "cachefrom/sample";
    options.Context ??= "samples/webapp";
});

RunTarget(Argument("target", "DockerPublish"));
