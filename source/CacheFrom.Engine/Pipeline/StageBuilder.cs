using CacheFrom.Configuration;
using CacheFrom.Docker.Build;
using CacheFrom.Fingerprints;
using CacheFrom.Recording;
using CacheFrom.Sessions;

namespace CacheFrom.Pipeline;

/// <summary>Builds one stage image: cache sources, the BuildKit session when one is needed, the record.</summary>
internal sealed class StageBuilder(RunContext context)
{
    public async Task BuildAsync(StageImage stage, PipelineStep step, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var fingerprint = await FingerprintAsync(stage, cancellationToken).ConfigureAwait(false);
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = new ImageBuildRequest
            {
                ContextDirectory = settings.Context,
                DockerfilePath = settings.DockerFile,
                Target = stage.IsFinal ? null : stage.Stage.Name,
                Tags = [stage.Image.ToString()],
                CacheFrom = CacheSources(stage),
                BuildArgs = settings.BuildArgs,
                Labels = fingerprint is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [FingerprintLabel.Name] = fingerprint },
                Builder = settings.Builder,
                InlineCache = true,
                SessionId = session?.Id,
                ContextInSession = session is not null,
                RegistryConfig = settings.Credentials is null || settings.Image.Registry is null
                    ? new Dictionary<string, RegistryCredentials>()
                    : new Dictionary<string, RegistryCredentials> { [settings.Image.Registry] = settings.Credentials },
                DisplayName = stage.IsFinal ? "final image" : $"stage {stage.Name}",
            };

            ImageBuildResult result;
            try
            {
                result = await context.Engine.BuildAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ImageBuildFailedException exception) when (session?.Fault is { } lost)
            {
                // The engine only says "no active session"; the session knows when and why it was lost.
                throw new ImageBuildFailedException($"{exception.Message} The BuildKit session was lost during the build: {lost.Message}", exception.FailedStep, exception.LastOutput, exception);
            }
            catch (ImageBuildFailedException exception) when (BuildFailures.IsTagCreatedConcurrently(exception))
            {
                // Another build created the same tag a moment earlier; once it exists the engine updates it, so one more
                // build (all cached now) names the image.
                context.Logger.Information(
                    "Another build created {Image} at the same moment ({Error}); building {Stage} once more, from the cache it just filled",
                    stage.Image.ToString(),
                    exception.Message,
                    request.DisplayName);
                result = (await context.Engine.BuildAsync(request, cancellationToken).ConfigureAwait(false)).RetriedAfter(exception.Finished);
            }
            catch (ImageBuildFailedException exception) when (BuildFailures.IsExportSnapshotCollected(exception))
            {
                context.Logger.Information(
                    "The engine's containerd collected a snapshot while {Stage} was being unpacked ({Error}); building it once more, from the cache it just filled",
                    request.DisplayName,
                    exception.Message);
                result = (await context.Engine.BuildAsync(request, cancellationToken).ConfigureAwait(false)).RetriedAfter(exception.Finished);
            }
            catch (ImageBuildFailedException exception) when (request.CacheFrom.Count > 0 && BuildFailures.IsCachedStepUnrestorable(exception))
            {
                // A cache that cannot be read never fails a build: the same build again, without cache sources.
                context.Logger.Warning(
                    "The classic builder cannot use cache images on this engine (containerd image store): restoring a cached step that adds no layer "
                    + "fails inside the engine. {Stage} is built again without cache. On this engine the cache works with docker-builder buildkit "
                    + "(the default), in every docker-cache mode",
                    request.DisplayName);
                foreach (var any in context.Stages)
                    context.StageRecord(any).Winner = null; // later stages skip the cache too: one warning, not one per stage
                result = await context.Engine.BuildAsync(request with { CacheFrom = [] }, cancellationToken).ConfigureAwait(false);
            }

            if (session?.Fault is { } fault)
            {
                context.Logger.Warning(
                    "The BuildKit session closed during the build of {Stage} ({Reason}); cache from an authenticated registry may have been skipped",
                    request.DisplayName,
                    fault.Message);
            }

            context.StageRecord(stage).ImageId = result.ImageId;
            Record(stage, step, result);
        }
        finally
        {
            if (session is not null)
                await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The stage's fingerprint for its label (the next run compares with it without pulling):
    /// ResolveCache computed it; a run that skipped ResolveCache computes it here.
    /// </summary>
    private async Task<string?> FingerprintAsync(StageImage stage, CancellationToken cancellationToken)
    {
        if (context.Record.Fingerprints.Count == 0)
            await RunFingerprinting.EnsureAsync(context, cancellationToken).ConfigureAwait(false);
        return context.StageRecord(stage).Fingerprint;
    }

    /// <summary>
    /// The winners of this stage and the stages before it, in Dockerfile order (builder first):
    /// the classic builder locks onto the first source that matches, so order matters there.
    /// </summary>
    private List<string> CacheSources(StageImage stage)
    {
        var upTo = context.Stages.TakeWhile(s => s != stage).Append(stage);
        return upTo.Select(s => context.StageRecord(s).Winner).OfType<string>().ToList();
    }

    private void Record(StageImage stage, PipelineStep step, ImageBuildResult result)
    {
        // Builders name stages their own way (stage-1); the record names them as the Dockerfile does.
        var instructions = result.Instructions
            .Select(i => (Stage: StageImage.ReportName(context.Dockerfile, i.Stage), Instruction: i))
            .ToList();

        // A stage's instructions are recorded once per run: the final build repeats the builder's, all cached.
        // A skipped stage's are replaced when this build ran some of them after all (it could not use the cache).
        var ranSkipped = instructions
            .Where(i => !i.Instruction.Cached && !i.Instruction.Text.TrimStart().StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)
                && context.Record.Instructions.Any(r => r.Skipped && r.Stage.Equals(i.Stage, StringComparison.OrdinalIgnoreCase)))
            .Select(i => i.Stage)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        context.Record.Instructions.RemoveAll(r => r.Skipped && ranSkipped.Contains(r.Stage));
        var alreadyRecorded = context.Record.Instructions.Select(i => i.Stage).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, instruction) in instructions.Where(i => !alreadyRecorded.Contains(i.Stage)))
            context.Record.Instructions.Add(new InstructionRecord(name, instruction.Text, instruction.Cached, instruction.Duration, step));

        var mine = instructions.Where(i => i.Stage.Equals(stage.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        context.Logger.Information(
            "Built {Stage} as {Image}: {Cached} of {Total} instructions from cache",
            stage.Name,
            stage.Image.ToString(),
            mine.Count(i => i.Instruction.Cached),
            mine.Count);
    }

    /// <summary>
    /// A BuildKit build with a session provider always gets a session: it streams the context
    /// (FileSync, the only way BuildKit reads it on the containerd image store) and serves
    /// credentials, secrets and ssh. The classic builder reads the tar body and needs none.
    /// </summary>
    private async Task<IBuildSession?> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        if (settings.Builder == BuilderKind.Classic)
        {
            if (settings.Secrets.Count > 0 || settings.Ssh is not null)
                throw new CacheFromConfigurationException(["docker-secrets and docker-ssh need the BuildKit builder; set docker-builder to buildkit"]);
            return null;
        }

        if (context.Sessions is null)
        {
            if (settings.Secrets.Count > 0 || settings.Ssh is not null)
            {
                throw new CacheFromException(
                    "docker-secrets and docker-ssh need a BuildKit session, which this host does not provide "
                    + "(the NUKE components, the cachefrom tool and the Cake recipe do). Remove them or build with one of those.");
            }

            // The tar body: fine on overlay2 engines; BuildFailures explains the containerd store's refusal.
            // Credentials without a session: ResolveCache pulled the winners instead.
            return null;
        }

        var credentials = new Dictionary<string, RegistryCredentials>(StringComparer.OrdinalIgnoreCase);
        if (settings.Credentials is not null)
        {
            credentials[settings.Image.RegistryKey] = settings.Credentials;
            if (settings.Image.Registry is { } host)
                credentials[host] = settings.Credentials;
        }

        return await context.Sessions.OpenAsync(
            new BuildSessionRequest
            {
                DockerHost = settings.DockerHost,
                Endpoint = context.Engine.ResolvedEndpoint,
                ApiVersion = context.Engine.ApiVersion,
                Credentials = credentials,
                Secrets = settings.Secrets,
                Ssh = settings.Ssh,
                Context = BuildSessionContext.For(settings.Context, settings.DockerFile),
                WorkingDirectory = settings.WorkingDirectory,
            },
            cancellationToken).ConfigureAwait(false);
    }
}
