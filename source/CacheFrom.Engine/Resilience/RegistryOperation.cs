namespace CacheFrom.Resilience;

/// <summary>One retried registry operation: what it is (for messages), which registry, how an attempt is bounded.</summary>
/// <param name="Description">e.g. <c>push of 127.0.0.1:5000/app:main</c>, as it reads after "the".</param>
internal sealed record RegistryOperation(string Description, string Registry, AttemptLimit Limit);
