namespace CacheFrom.Docker.Streams;

/// <summary>What a pull, push, save or load moved, as far as the engine reports it.</summary>
internal sealed record TransferResult(long Bytes, TimeSpan Duration);
