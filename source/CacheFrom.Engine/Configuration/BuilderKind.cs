namespace CacheFrom.Configuration;

/// <summary>Which of the engine's builders runs the build.</summary>
public enum BuilderKind
{
    /// <summary>BuildKit (<c>version=2</c> on the build endpoint). Default.</summary>
    BuildKit,

    /// <summary>The classic builder (<c>version=1</c>): cache-from images must be present locally.</summary>
    Classic,
}
