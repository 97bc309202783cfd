namespace CacheFrom.BuildContext;

/// <summary>The build context directory and the Dockerfile as absolute paths, checked once for both ways of sending them.</summary>
internal static class ContextPaths
{
    public static (string Context, string Dockerfile) Resolve(string contextDirectory, string dockerfilePath)
    {
        var context = Path.GetFullPath(contextDirectory);
        var dockerfile = Path.GetFullPath(dockerfilePath);
        if (!Directory.Exists(context))
            throw new ImageBuildFailedException($"The build context {context} does not exist.", null, []);
        if (!File.Exists(dockerfile))
            throw new ImageBuildFailedException($"The Dockerfile {dockerfile} does not exist.", null, []);
        return (context, dockerfile);
    }

    /// <summary>
    /// The ignore file BuildKit's Dockerfile frontend reads: <c>NAME.dockerignore</c> beside a
    /// Dockerfile named NAME wins over the context's <c>.dockerignore</c>; null when there is none.
    /// </summary>
    public static string? BuildKitIgnoreFile(string context, string dockerfile)
    {
        var specific = dockerfile + ".dockerignore";
        if (File.Exists(specific))
            return specific;
        var general = Path.Combine(context, ".dockerignore");
        return File.Exists(general) ? general : null;
    }
}
