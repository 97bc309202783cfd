// CacheFrom's Cake recipe, as loaded from its package:
//   #load nuget:?package=CacheFrom.Cake&version=0.1.0&include=./content/CacheFrom.cake
// addins.cake (generated at pack time) brings the engine package of the same version; recipe.cake
// is the recipe itself, which the repository loads from source with a #r list instead.
#load "addins.cake"
#load "recipe.cake"
