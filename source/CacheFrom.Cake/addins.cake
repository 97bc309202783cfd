// Generated at pack time: the engine this recipe runs on (and its dependencies).
#addin nuget:?package=CacheFrom.Engine&version=0.1.0&loaddependencies=true
