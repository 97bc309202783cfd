// CacheFrom's Cake recipe, as loaded from its package:
//   #load nuget:?package=CacheFrom.Cake&version=0.1.0&include=./content/CacheFrom.cake
// tools.cake (generated at pack time) installs the cachefrom tool of the same version with #tool;
// recipe.cake is the recipe itself, which the repository loads from source instead.
#load "tools.cake"
#load "recipe.cake"
