namespace CacheFrom.Sessions;

/// <summary>One open session; disposing it closes the connection.</summary>
public interface IBuildSession : IAsyncDisposable
{
    string Id { get; }

    /// <summary>Set when the engine hung up or a health check failed before the session was closed.</summary>
    Exception? Fault { get; }
}
