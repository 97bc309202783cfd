using CacheFrom.BuildKit.Session;
using CacheFrom.Configuration;
using CacheFrom.Docker.Build;
using CacheFrom.Sessions;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Session;

/// <summary>Small helpers shared by the session tests.</summary>
internal static class SessionTestSupport
{
    /// <summary>A session for a build of <paramref name="workingDirectory"/>: it streams that context when it holds a Dockerfile.</summary>
    public static BuildSessionRequest Request(
        string workingDirectory,
        IReadOnlyDictionary<string, RegistryCredentials>? credentials = null,
        IReadOnlyList<BuildSecret>? secrets = null,
        string? ssh = null,
        BuildSessionContext? context = null) =>
        new()
        {
            ApiVersion = RawEngineApi.ApiVersion,
            WorkingDirectory = workingDirectory,
            Context = context ?? (File.Exists(Path.Combine(workingDirectory, "Dockerfile"))
                ? BuildSessionContext.For(workingDirectory, Path.Combine(workingDirectory, "Dockerfile"))
                : null),
            Credentials = credentials ?? new Dictionary<string, RegistryCredentials>(),
            Secrets = secrets ?? [],
            Ssh = ssh,
        };

    /// <summary>A context directory holding just a Dockerfile (and any extra files) on the pinned base image.</summary>
    public static string Context(string dockerfile, IReadOnlyDictionary<string, byte[]>? files = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cachefrom-session-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), dockerfile.Replace("BASE", TestEnvironment.BaseImage, StringComparison.Ordinal));
        foreach (var (name, bytes) in files ?? new Dictionary<string, byte[]>())
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return directory;
    }

    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp files; not worth failing a test over.
        }
    }

    public static BuildKitSessionHost Host(TestLogger log) => BuildKitSessionHost.Create(log.Logger);

    /// <summary>A BuildKit build of <paramref name="context"/> through the engine façade; with a session, the session streams the context.</summary>
    public static ImageBuildRequest Build(string context, string tag, string? sessionId, string? target = null, IReadOnlyList<string>? cacheFrom = null, string? dockerfile = null) =>
        new()
        {
            ContextDirectory = context,
            DockerfilePath = dockerfile ?? Path.Combine(context, "Dockerfile"),
            ContextInSession = sessionId is not null,
            Target = target,
            Tags = [tag],
            CacheFrom = cacheFrom ?? [],
            SessionId = sessionId,
            DisplayName = target is null ? "session test image" : $"stage {target}",
        };
}
