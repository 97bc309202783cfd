using System.Text.Json;
using CacheFrom.BuildContext;
using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;
using CacheFrom.Docker.Images;
using CacheFrom.Docker.Registry;
using CacheFrom.Docker.Streams;
using CacheFrom.Dockerfiles;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace CacheFrom.Docker.Build;

/// <summary>
/// <c>POST /build</c> with either builder, read from the raw response stream (Docker.DotNet's
/// typed progress cannot read BuildKit's output). A finished call is not a success: errors come
/// inside the stream, and the image is inspected afterwards.
/// </summary>
internal sealed class BuildOperations(EngineConnection connection, ImageOperations images)
{
    /// <summary>The <c>remote</c> value that tells the engine to read the context from the build's session.</summary>
    private const string ClientSessionRemote = "client-session";

    public async Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken = default)
    {
        var logger = connection.Logger;
        var builder = request.Builder == BuilderKind.BuildKit ? "BuildKit" : "the classic builder";
        logger.Information("Building {Name} with {Builder} as {Tags}", request.DisplayName, builder, string.Join(", ", request.Tags));
        if (request.CacheFrom.Count > 0)
            logger.Information("Cache sources for {Name}: {CacheFrom}", request.DisplayName, string.Join(", ", request.CacheFrom));

        if (request.ContextInSession && (request.Builder != BuilderKind.BuildKit || string.IsNullOrEmpty(request.SessionId)))
            throw new InvalidOperationException("Only a BuildKit build with a session can stream its context over the session.");

        // The classic builder (and BuildKit without a session) reads the context from a tar body;
        // BuildKit with a session asks the session for it (FileSync) and gets an empty body.
        await using var archive = request.ContextInSession
            ? null
            : await BuildContextArchive.CreateAsync(request.ContextDirectory, request.DockerfilePath, cancellationToken).ConfigureAwait(false);
        if (archive is null)
            logger.Debug("Build context {Context} streams over BuildKit session {SessionId}", request.ContextDirectory, request.SessionId);
        else
            logger.Debug("Build context {Context}: {Files} entries, {Bytes} bytes", request.ContextDirectory, archive.FileCount, archive.Content.Length);
        var dockerfileName = archive?.DockerfileName ?? Path.GetFileName(request.DockerfilePath);

        var operation = $"the build of {request.DisplayName}";
        var throttle = new ProgressThrottle(connection.Time);
        var run = new BuildRun(request, StageLabels(request), connection.Time);
        try
        {
            await connection.RunAsync(operation, async () =>
            {
                // Obsolete in Enhanced in favour of the IProgress overload, which cannot read BuildKit's
                // output (facts/docker.md): the raw stream is the one that works, and we read it to the end.
#pragma warning disable CS0618
                var response = await connection.Extras.Apply(Extras(request), () =>
                    connection.Client.Images.BuildImageFromDockerfileAsync(archive?.Content ?? Stream.Null, Parameters(request, dockerfileName), cancellationToken)).ConfigureAwait(false);
#pragma warning restore CS0618
                await using var _ = response.ConfigureAwait(false);
                await foreach (var message in JsonLineReader.ReadAsync(response, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var line in run.Apply(message))
                        logger.Debug("{Output}", line);
                    if (throttle.IsDue())
                    {
                        var (done, total, running) = run.Summary;
                        logger.Information("Building {Name}: {Done}/{Total} steps done, {Running}, {Elapsed:0} s", request.DisplayName, done, total, running ?? "working", throttle.Elapsed.TotalSeconds);
                    }
                }
            }).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            // The classic builder refuses some builds before it starts: no Dockerfile, no such target, bad syntax.
            throw BuildFailures.General(request, EngineErrorBody.Message(exception.ResponseBody), [], exception);
        }

        var failure = run.Failure();
        var instructions = run.Instructions().Where(i => !AddedLabel(request, i)).ToList();
        if (failure is not null)
        {
            failure.Finished = instructions;
            throw failure;
        }

        var imageId = await VerifyAsync(request, run.ReportedImageId, cancellationToken).ConfigureAwait(false);
        logger.Information(
            "Built {Name} in {Duration:0.0} s: {Cached}/{Steps} steps cached ({ImageId})",
            request.DisplayName, throttle.Elapsed.TotalSeconds, instructions.Count(i => i.Cached), instructions.Count, imageId);
        return new ImageBuildResult(imageId, instructions);
    }

    /// <summary>
    /// The classic builder applies the request's labels as a <c>LABEL k=v</c> step of its own after the
    /// target stage's last instruction (its layers' cache keys stay as they were): not a Dockerfile
    /// instruction, so not one the report counts or the history keeps.
    /// </summary>
    private static bool AddedLabel(ImageBuildRequest request, BuildInstruction instruction) =>
        request.Builder == BuilderKind.Classic
        && request.Labels.Any(l => instruction.Text == $"LABEL {l.Key}={l.Value}");

    private async Task<string> VerifyAsync(ImageBuildRequest request, string? reportedImageId, CancellationToken cancellationToken)
    {
        var reference = request.Tags.Count > 0 ? request.Tags[0] : reportedImageId;
        if (reference is not null && await images.FindIdAsync(reference, cancellationToken).ConfigureAwait(false) is { } id)
            return id;
        throw new ImageBuildFailedException(
            $"The build of {request.DisplayName} reported no error, but the engine has no image {reference ?? "(no tag, no id reported)"} afterwards. "
            + "The engine may have stopped mid-build; run the build again.",
            null,
            []);
    }

    /// <summary>
    /// The Dockerfile's stages (<c>name</c> or <c>stage-N</c>) in order: BuildKit leaves the name out
    /// of a single-stage Dockerfile's steps, and reports stages in whatever order they ran.
    /// </summary>
    private List<string> StageLabels(ImageBuildRequest request)
    {
        var dockerfilePath = request.DockerfilePath;
        try
        {
            // The build args matter: a FROM ${BASE} with no default names no image without them.
            return DockerfileParser.Parse(dockerfilePath, request.BuildArgs).Stages.Select(s => s.Label).ToList();
        }
        catch (Exception exception) when (exception is CacheFromException or IOException or FormatException)
        {
            // The engine will say what is wrong with the Dockerfile; the labels only order the report.
            connection.Logger.Debug("Could not read the stages of {Dockerfile}: {Reason}", dockerfilePath, exception.Message);
            return [];
        }
    }

    private static ImageBuildParameters Parameters(ImageBuildRequest request, string dockerfileName)
    {
        var buildArgs = request.BuildArgs.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        if (request.Builder == BuilderKind.BuildKit && request.InlineCache)
            buildArgs["BUILDKIT_INLINE_CACHE"] = "1";
        return new ImageBuildParameters
        {
            Dockerfile = dockerfileName,
            Tags = [.. request.Tags],
            Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
            RemoteContext = request.ContextInSession ? ClientSessionRemote : null,
            Version = request.Builder == BuilderKind.BuildKit ? "2" : "1",
            BuildArgs = buildArgs,
            Labels = request.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
            // Enhanced 4.3.3 still sends a list as repeated values; the engine wants one JSON array.
            CacheFrom = request.CacheFrom.Count > 0 ? [JsonSerializer.Serialize(request.CacheFrom)] : null,
            Remove = true,
            ForceRemove = true,
        };
    }

    private static RequestExtras Extras(ImageBuildRequest request)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.RegistryConfig.Count > 0)
            headers[RegistryAuth.ConfigHeader] = RegistryAuth.ConfigHeaderValue(request.RegistryConfig);
        if (!string.IsNullOrEmpty(request.SessionId))
            query["session"] = request.SessionId;
        return new RequestExtras(headers, query);
    }
}
