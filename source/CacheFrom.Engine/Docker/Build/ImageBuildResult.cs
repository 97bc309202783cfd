namespace CacheFrom.Docker.Build;

/// <summary>A finished, verified build: the image exists under <see cref="ImageId"/>.</summary>
internal sealed record ImageBuildResult(string ImageId, IReadOnlyList<BuildInstruction> Instructions)
{
    /// <summary>
    /// This result of a build run again because the first one failed after its steps (at the export):
    /// this build's image, the first build's work. The second took from the cache what the first had
    /// just built, so its own account would call steps cached that did run. Unchanged when the two
    /// builds did not report the same instructions.
    /// </summary>
    public ImageBuildResult RetriedAfter(IReadOnlyList<BuildInstruction> first)
    {
        var same = first.Count == Instructions.Count
            && first.Zip(Instructions).All(p => p.First.Stage == p.Second.Stage && p.First.Text == p.Second.Text);
        return same ? this with { Instructions = first } : this;
    }
}

/// <summary>
/// One Dockerfile instruction as the builder reported it. <see cref="Stage"/> is the stage's
/// name, or <c>stage-N</c> (0-based) for an unnamed stage, for both builders.
/// </summary>
internal sealed record BuildInstruction(string Stage, string Text, bool Cached, TimeSpan Duration);
