using System.Text.RegularExpressions;

namespace CacheFrom.Docker.Build;

/// <summary>
/// Words a failed build for the user: which instruction failed, in which stage, and the usual
/// causes (no such target, an invalid Dockerfile, a base image that cannot be found).
/// </summary>
internal static partial class BuildFailures
{
    public static ImageBuildFailedException AtStep(ImageBuildRequest request, string stage, string position, string instruction, string error, IReadOnlyList<string> output)
    {
        var message = instruction.StartsWith("FROM", StringComparison.OrdinalIgnoreCase)
            ? $"The build of {request.DisplayName} failed at {position} {instruction} (stage {stage}): the base image could not be fetched: {error}. "
                + "Check the image name, make it available to the engine (pull or load it), or log in to its registry."
            : $"The build of {request.DisplayName} failed at {position} {instruction} (stage {stage}): {error}";
        return new ImageBuildFailedException(message, instruction, output);
    }

    /// <summary>An error not tied to a step: the Dockerfile, the target, the base image, the context.</summary>
    public static ImageBuildFailedException General(ImageBuildRequest request, string error, IReadOnlyList<string> output, Exception? inner = null)
    {
        string message;
        if (TargetMissing().IsMatch(error))
        {
            message = $"The build of {request.DisplayName} failed: the Dockerfile {request.DockerfilePath} has no stage named '{request.Target}' ({error}). "
                + "Check the target against the stage names (FROM … AS name).";
        }
        else if (error.Contains("dockerfile parse error", StringComparison.OrdinalIgnoreCase)
            || error.Contains("unknown instruction", StringComparison.OrdinalIgnoreCase)
            || error.Contains("Dockerfile parse", StringComparison.OrdinalIgnoreCase))
        {
            message = $"The build of {request.DisplayName} failed: the Dockerfile {request.DockerfilePath} is invalid: {error}";
        }
        else if (error.Contains("Cannot locate specified Dockerfile", StringComparison.OrdinalIgnoreCase)
            || error.Contains("failed to read dockerfile", StringComparison.OrdinalIgnoreCase))
        {
            message = $"The build of {request.DisplayName} failed: the engine found no Dockerfile {request.DockerfilePath} in the context ({error}). "
                + "Check docker-file and docker-context (and that .dockerignore does not leave it out).";
        }
        else if (RequestBodyContextUnreadable().IsMatch(error))
        {
            // moby/moby#47717: on the containerd image store BuildKit cannot read a context sent as the request body.
            message = $"The build of {request.DisplayName} failed: this Docker engine (it uses the containerd image store) cannot read a build context "
                + "sent with the build request, and no BuildKit session streamed it. Build with docker-builder classic, or run the build "
                + $"from a host that provides the BuildKit session (the NUKE components, the cachefrom tool and the Cake recipe do), which streams the context as the docker CLI does. ({error})";
        }
        else if (BaseImageMissing().IsMatch(error))
        {
            message = $"The build of {request.DisplayName} failed: a base image could not be fetched: {error}. "
                + "Check the FROM lines' image names, make the image available to the engine (pull or load it), or log in to its registry.";
        }
        else
        {
            message = $"The build of {request.DisplayName} failed: {error}";
        }

        return new ImageBuildFailedException(message, null, output, inner);
    }

    [GeneratedRegex(@"target stage .* could not be found|failed to reach build target", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TargetMissing();

    /// <summary>
    /// The classic builder on the containerd image store fails to restore a cached step that adds
    /// no layer (ARG, ENV, WORKDIR …): the engine reads a layer with an empty digest (Docker 26–29,
    /// daemon/containerd CreateImage). The cache, not the build, is at fault.
    /// </summary>
    public static bool IsCachedStepUnrestorable(ImageBuildFailedException exception) =>
        CachedStepUnrestorable().IsMatch(exception.Message);

    /// <summary>
    /// BuildKit on the containerd image store names its image by "update, else create": two builds
    /// that export the same new tag at once both find none and one create fails with "already
    /// exists" (seen with four CI jobs on one repository). The image was built; the tag lost a race.
    /// </summary>
    public static bool IsTagCreatedConcurrently(ImageBuildFailedException exception) =>
        TagCreatedConcurrently().IsMatch(exception.Message);

    /// <summary>
    /// BuildKit on the containerd image store unpacks the image it exported onto a snapshot whose
    /// parent containerd's garbage collector removed a moment earlier, when the tag it replaces (or
    /// a prune) released that chain (containerd/containerd#10835; seen in 2 of 10 CI runs, on a build
    /// that replaced its own tag). The build itself succeeded and is all cached when run again.
    /// </summary>
    public static bool IsExportSnapshotCollected(ImageBuildFailedException exception) =>
        ExportSnapshotCollected().IsMatch(exception.Message);

    [GeneratedRegex(@"failed to prepare extraction snapshot.*parent snapshot .* does not exist", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ExportSnapshotCollected();

    [GeneratedRegex(@"exporting to image.*image "".*"": already exists", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TagCreatedConcurrently();

    [GeneratedRegex(@"failed to restore cached image.*failed to read diff archive", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CachedStepUnrestorable();

    [GeneratedRegex(@"load remote build context.*(build-context-|no such host)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RequestBodyContextUnreadable();

    [GeneratedRegex(@"pull access denied|manifest unknown|manifest for .* not found|repository does not exist|load metadata for", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BaseImageMissing();
}
