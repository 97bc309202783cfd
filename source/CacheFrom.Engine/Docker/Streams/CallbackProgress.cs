namespace CacheFrom.Docker.Streams;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its callback inline, in order. (<see cref="Progress{T}"/>
/// posts to a sync context or the thread pool: messages could be seen late or out of order.)
/// </summary>
internal sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
