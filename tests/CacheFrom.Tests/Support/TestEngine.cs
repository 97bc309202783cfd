using System.Collections.Concurrent;
using System.Text.Json;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Tells a test engine (one that scripts/engines.sh started: its own socket, data-root and bridge,
/// labelled <see cref="OwnerLabel"/>) from any other engine, such as the user's own. The tests
/// empty and fill the engine they run against, so they refuse every other one.
/// </summary>
internal static class TestEngine
{
    /// <summary>The engine label scripts/engines.sh gives its engines (<c>--label org.cachefrom.test-engine=d26c</c>).</summary>
    public const string OwnerLabel = "org.cachefrom.test-engine";

    public const string HowToStartOne =
        "Run `bash scripts/test.sh`, or start one with `bash scripts/engines.sh start d26c && eval \"$(bash scripts/engines.sh env d26c)\"`.";

    // Endpoints already seen to be test engines: one `docker info` per endpoint and test run, not per test.
    private static readonly ConcurrentDictionary<string, bool> Verified = new(StringComparer.Ordinal);

    /// <summary>
    /// Why the engine at <paramref name="dockerHost"/>, whose <c>docker info</c> labels are
    /// <paramref name="labels"/>, is not a test engine; null when it is one.
    /// </summary>
    public static string? Refusal(string? dockerHost, IReadOnlyCollection<string> labels)
    {
        if (string.IsNullOrWhiteSpace(dockerHost) || dockerHost.Trim() == TestEnvironment.NoEngineHost)
            return "DOCKER_HOST is not set, so this would be the default engine (unix:///var/run/docker.sock), where a user's own engine listens";
        if (IsDefaultEndpoint(dockerHost.Trim()))
            return $"DOCKER_HOST={dockerHost.Trim()} is a default endpoint, where a user's own engine listens";
        if (!labels.Any(label => label.StartsWith(OwnerLabel + "=", StringComparison.Ordinal) && label.Length > OwnerLabel.Length + 1))
            return $"the engine at {dockerHost.Trim()} does not carry the label {OwnerLabel}=… that scripts/engines.sh gives its test engines";
        return null;
    }

    /// <summary>Fails with a <see cref="NotATestEngineException"/> unless <c>DOCKER_HOST</c> is a test engine; <paramref name="purpose"/> says what was refused.</summary>
    public static async Task RequireAsync(string purpose)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST")?.Trim() ?? "";
        if (Verified.ContainsKey(host))
            return;
        var refusal = host.Length == 0 || host == TestEnvironment.NoEngineHost || IsDefaultEndpoint(host) ? Refusal(host, []) : await AskAsync(host);
        if (refusal is not null)
            throw new NotATestEngineException($"Refusing to {purpose}: {refusal}. The tests only change an engine that scripts/engines.sh started. {HowToStartOne}");
        Verified.TryAdd(host, true);
    }

    /// <summary>
    /// The endpoints where a user's engine listens without any configuration: the system socket
    /// (/var/run is /run), rootless Docker's, Docker Desktop's.
    /// </summary>
    public static bool IsDefaultEndpoint(string dockerHost)
    {
        if (!dockerHost.StartsWith("unix://", StringComparison.Ordinal))
            return false;
        var path = Path.GetFullPath(dockerHost["unix://".Length..]);
        if (path.StartsWith("/var/run/", StringComparison.Ordinal))
            path = path["/var".Length..];
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path == "/run/docker.sock"
            || (path.StartsWith("/run/user/", StringComparison.Ordinal) && path.EndsWith("/docker.sock", StringComparison.Ordinal) && path.Count(c => c == '/') == 4)
            || (home.Length > 0 && (path == Path.Combine(home, ".docker", "run", "docker.sock") || path == Path.Combine(home, ".docker", "desktop", "docker.sock")));
    }

    private static async Task<string?> AskAsync(string host)
    {
        var info = await DockerCli.RunAsync("-H", host, "info", "--format", "{{json .Labels}}");
        if (info.ExitCode != 0)
            return $"no engine answered at {host} ({info.StandardError.Trim()})";
        var labels = JsonSerializer.Deserialize<List<string>?>(info.StandardOutput) ?? [];
        return Refusal(host, labels);
    }
}

/// <summary>A test was about to change an engine that is not a test engine of scripts/engines.sh.</summary>
internal sealed class NotATestEngineException(string message) : InvalidOperationException(message);
