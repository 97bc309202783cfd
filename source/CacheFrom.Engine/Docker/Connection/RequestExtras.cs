namespace CacheFrom.Docker.Connection;

/// <summary>
/// Headers and query parameters one call needs that Docker.DotNet.Enhanced's typed methods
/// cannot send: <c>session=</c> and <c>X-Registry-Config</c> on <c>/build</c>, <c>X-Registry-Auth</c>
/// on <c>/distribution</c>. Applied by <see cref="RequestExtrasHandler"/> to requests made inside
/// <see cref="RequestExtrasHandler.Apply"/>.
/// </summary>
internal sealed record RequestExtras(
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query)
{
    public static RequestExtras None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public bool IsEmpty => Headers.Count == 0 && Query.Count == 0;
}
