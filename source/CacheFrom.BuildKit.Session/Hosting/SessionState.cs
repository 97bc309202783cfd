using System.Collections.Concurrent;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.Configuration;
using Serilog;

namespace CacheFrom.BuildKit.Session.Hosting;

/// <summary>What one session serves to the engine, looked up by the services through the connection id.</summary>
internal sealed class SessionState
{
    private long _healthChecks;

    public SessionState(
        string id,
        IReadOnlyDictionary<string, RegistryCredentials> credentials,
        IReadOnlyList<BuildSecret> secrets,
        IReadOnlyDictionary<string, string> sshSockets,
        IReadOnlyDictionary<string, LocalDirectory> directories,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        ILogger logger)
    {
        Id = id;
        Credentials = credentials;
        Secrets = secrets;
        SshSockets = sshSockets;
        Directories = directories;
        WorkingDirectory = workingDirectory;
        Environment = environment;
        Logger = logger;
    }

    public string Id { get; }

    public IReadOnlyDictionary<string, RegistryCredentials> Credentials { get; }

    public IReadOnlyList<BuildSecret> Secrets { get; }

    /// <summary>ssh ids (<c>default</c>, …) → agent socket paths.</summary>
    public IReadOnlyDictionary<string, string> SshSockets { get; }

    /// <summary>The local directories served to FileSync, by the name BuildKit asks for (<c>context</c>, <c>dockerfile</c>).</summary>
    public IReadOnlyDictionary<string, LocalDirectory> Directories { get; }

    public string WorkingDirectory { get; }

    public IReadOnlyDictionary<string, string?> Environment { get; }

    public ILogger Logger { get; }

    public long HealthChecks => Interlocked.Read(ref _healthChecks);

    /// <summary>The Docker config's credentials by registry key, looked up (a helper run) once per session.</summary>
    public ConcurrentDictionary<string, Lazy<RegistryCredentials?>> ConfigCredentials { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registry hosts the engine asked credentials for, with whether we had any (no secrets).</summary>
    public ConcurrentDictionary<string, bool> CredentialRequests { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Secret ids the engine asked for, with whether they were served.</summary>
    public ConcurrentDictionary<string, bool> SecretRequests { get; } = new(StringComparer.Ordinal);

    /// <summary>Every DiffCopy call, in the order they came: what was sent.</summary>
    public ConcurrentQueue<TransferRecord> Transfers { get; } = new();

    public void RecordHealthCheck() => Interlocked.Increment(ref _healthChecks);
}

/// <summary>The sessions the server currently serves, by connection id (the session id).</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, SessionState> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public void Add(SessionState state) => _sessions[state.Id] = state;

    public void Remove(string id) => _sessions.TryRemove(id, out _);

    public SessionState? Find(string connectionId) => _sessions.GetValueOrDefault(connectionId);
}
