using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CacheFrom.BuildKit.Session.Hosting;
using CacheFrom.BuildKit.Session.LocalFiles;
using CacheFrom.BuildKit.Session.Services;
using CacheFrom.BuildKit.Session.Transport;
using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;
using CacheFrom.Sessions;
using Serilog;

namespace CacheFrom.BuildKit.Session;

/// <summary>
/// Opens BuildKit sessions on the Docker engine without a docker CLI: the build context
/// (FileSync), registry credentials, build secrets and ssh-agent forwarding served back to the
/// engine over <c>POST /session</c>.
/// Every host of a process shares one server (Kestrel, started on first use and kept for the
/// process); a host is cheap and closes the sessions it opened when disposed.
/// </summary>
public sealed class BuildKitSessionHost : IBuildSessionProvider, IAsyncDisposable
{
    private static readonly string[] BaseMethods =
    [
        "/grpc.health.v1.Health/Check",
        "/moby.filesync.v1.Auth/Credentials",
        "/moby.filesync.v1.Auth/FetchToken",
        "/moby.filesync.v1.Auth/GetTokenAuthority",
        "/moby.filesync.v1.Auth/VerifyTokenAuthority",
        "/moby.buildkit.secrets.v1.Secrets/GetSecret",
    ];

    private static readonly string[] FileSyncMethods =
    [
        "/moby.filesync.v1.FileSync/DiffCopy",
    ];

    private static readonly string[] SshMethods =
    [
        "/moby.sshforward.v1.SSH/CheckAgent",
        "/moby.sshforward.v1.SSH/ForwardAgent",
    ];

    private readonly ILogger _logger;
    private readonly Func<ILogger, CancellationToken, Task<SessionServer>> _server;
    private readonly ConcurrentDictionary<string, BuildKitSession> _open = new(StringComparer.Ordinal);
    private int _disposed;

    private BuildKitSessionHost(ILogger logger, Func<ILogger, CancellationToken, Task<SessionServer>> server)
    {
        _logger = logger;
        _server = server;
    }

    /// <summary>A host on the process-wide session server; <paramref name="logger"/> receives this host's session messages.</summary>
    public static BuildKitSessionHost Create(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return new BuildKitSessionHost(logger, SessionServer.SharedAsync);
    }

    /// <summary>A host on a server of its own (tests measure start-up cost with it).</summary>
    internal static BuildKitSessionHost CreateWithServer(ILogger logger, SessionServer server) =>
        new(logger, (_, _) => Task.FromResult(server));

    /// <summary>Sessions this host opened and has not closed.</summary>
    internal int OpenSessions => _open.Count;

    public async Task<IBuildSession> OpenAsync(BuildSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var environment = EnvironmentSnapshot.Current();
        var sshSockets = ResolveSsh(request.Ssh, environment);
        var server = await _server(_logger, cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();

        var endpoint = request.Endpoint ?? DockerEndpoint.Resolve(request.DockerHost, environment);
        var id = Guid.NewGuid().ToString("N");
        var directories = LocalDirectory.For(request.Context);
        var state = new SessionState(id, request.Credentials, request.Secrets, sshSockets, directories, request.WorkingDirectory, environment, _logger);
        var stream = await ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        SessionConnection? connection = null;
        try
        {
            // Registered before the upgrade: the engine starts calling as soon as it answers 101.
            server.Sessions.Add(state);
            var methods = BaseMethods
                .Concat(directories.Count > 0 ? FileSyncMethods : [])
                .Concat(sshSockets.Count > 0 ? SshMethods : []);
            var keyDirectory = request.Context?.ContextDirectory ?? request.WorkingDirectory;
            await SessionHandshake.UpgradeAsync(
                stream, endpoint, request.ApiVersion, id, "cachefrom", SharedKey(keyDirectory), methods, cancellationToken).ConfigureAwait(false);
            connection = new SessionConnection(id, stream);
            server.Serve(connection);
        }
        catch
        {
            server.Sessions.Remove(id);
            if (connection is null)
                await stream.DisposeAsync().ConfigureAwait(false);
            else
                connection.Close();
            throw;
        }

        var session = new BuildKitSession(state, connection, server.Sessions, closed => _open.TryRemove(closed.Id, out _));
        _open[id] = session;
        _logger.Debug(
            "BuildKit session {SessionId} opened on {Endpoint} in {ElapsedMilliseconds} ms (context {Context}; credentials for {Registries}; secrets {SecretIds}; ssh {SshIds})",
            id, endpoint.ToString(), stopwatch.ElapsedMilliseconds, request.Context?.ContextDirectory, request.Credentials.Keys, request.Secrets.Select(s => s.Id), sshSockets.Keys);
        return session;
    }

    /// <summary>A connection of the session's own (it is hijacked, so never shared), opened as the engine client opens its own.</summary>
    private static async Task<Stream> ConnectAsync(DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await EngineStream.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            throw new DockerEngineUnavailableException(
                $"Could not open a BuildKit session: no Docker engine answered at {endpoint} ({EngineFailures.Reason(exception)}). {DockerEndpoint.Advice}",
                exception);
        }
    }

    /// <summary>Closes the sessions this host opened. The process-wide server stays up for later hosts.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var session in _open.Values)
            await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// <c>default</c> (SSH_AUTH_SOCK), a socket path, or docker's <c>id[=socket],…</c> list.
    /// Fails before the build when no agent is there: a RUN --mount=type=ssh would fail later, less clearly.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> ResolveSsh(string? ssh, IReadOnlyDictionary<string, string?> environment)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(ssh))
            return result;

        foreach (var item in ssh.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            string id, path;
            if (equals > 0)
            {
                (id, path) = (item[..equals], item[(equals + 1)..]);
            }
            else if (item.Contains('/', StringComparison.Ordinal))
            {
                (id, path) = (SshService.DefaultId, item);
            }
            else
            {
                id = item;
                path = environment.GetValueOrDefault("SSH_AUTH_SOCK") ?? "";
                if (path.Length == 0)
                {
                    throw new CacheFromException(
                        $"SSH forwarding was asked for (docker-ssh {id}) but no ssh-agent is available: SSH_AUTH_SOCK is not set. "
                        + "Start one (eval \"$(ssh-agent)\" && ssh-add) or pass docker-ssh with an agent socket path.");
                }
            }

            if (!File.Exists(path))
            {
                throw new CacheFromException(
                    $"SSH forwarding was asked for (docker-ssh {id}) but no ssh-agent socket exists at {path}. "
                    + "Start an agent (eval \"$(ssh-agent)\" && ssh-add) or pass the path of a running agent's socket.");
            }

            result[id] = path;
        }

        return result;
    }

    // Like the docker CLI's: stable per context directory, so BuildKit syncs a repeat build's
    // context against its copy of the last one and only asks for what changed.
    private static string SharedKey(string workingDirectory) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workingDirectory)))[..32];
}
