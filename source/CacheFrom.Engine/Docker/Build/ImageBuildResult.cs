namespace CacheFrom.Docker.Build;

/// <summary>A finished, verified build: the image exists under <see cref="ImageId"/>.</summary>
internal sealed record ImageBuildResult(string ImageId, IReadOnlyList<BuildInstruction> Instructions);

/// <summary>
/// One Dockerfile instruction as the builder reported it. <see cref="Stage"/> is the stage's
/// name, or <c>stage-N</c> (0-based) for an unnamed stage, for both builders.
/// </summary>
internal sealed record BuildInstruction(string Stage, string Text, bool Cached, TimeSpan Duration);
