using CacheFrom.BuildContext;

namespace CacheFrom.Sessions;

/// <summary>
/// The build context a session streams to BuildKit (FileSync), as the docker CLI does: the local
/// directory <c>context</c> and the Dockerfile's directory as <c>dockerfile</c>. The ignore rules
/// are applied on the client side too, so what they leave out never leaves the machine.
/// </summary>
public sealed class BuildSessionContext
{
    /// <summary>Absolute path of the build context directory (the local name <c>context</c>).</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>Absolute path of the directory holding the Dockerfile (the local name <c>dockerfile</c>); may lie outside the context.</summary>
    public required string DockerfileDirectory { get; init; }

    /// <summary>The Dockerfile's file name; the <c>dockerfile</c> directory serves only it and <c>NAME.dockerignore</c>.</summary>
    public required string DockerfileName { get; init; }

    /// <summary>The <c>.dockerignore</c> lines applied to the context directory (the Dockerfile-specific file when there is one).</summary>
    public IReadOnlyList<string> IgnoreRules { get; init; } = [];

    /// <summary>What a build of <paramref name="dockerfilePath"/> in <paramref name="contextDirectory"/> streams; both must exist.</summary>
    public static BuildSessionContext For(string contextDirectory, string dockerfilePath)
    {
        var (context, dockerfile) = ContextPaths.Resolve(contextDirectory, dockerfilePath);
        var ignoreFile = ContextPaths.BuildKitIgnoreFile(context, dockerfile);
        return new BuildSessionContext
        {
            ContextDirectory = context,
            DockerfileDirectory = Path.GetDirectoryName(dockerfile)!,
            DockerfileName = Path.GetFileName(dockerfile),
            IgnoreRules = ignoreFile is null ? [] : File.ReadAllLines(ignoreFile),
        };
    }
}
