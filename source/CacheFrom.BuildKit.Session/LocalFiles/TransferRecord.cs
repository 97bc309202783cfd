using System.Collections.Concurrent;
using System.Diagnostics;

namespace CacheFrom.BuildKit.Session.LocalFiles;

/// <summary>What one DiffCopy call sent: read by the session's log line and by tests that check what left the machine.</summary>
internal sealed class TransferRecord(string directoryName)
{
    private long _bytes;
    private int _files;

    public string DirectoryName { get; } = directoryName;

    /// <summary>Every path sent as a STAT, in order.</summary>
    public ConcurrentQueue<string> Stats { get; } = new();

    /// <summary>Paths whose contents BuildKit asked for and got.</summary>
    public ConcurrentQueue<string> Contents { get; } = new();

    /// <summary>Files that could not be opened when asked for (sent empty, as fsutil does).</summary>
    public ConcurrentQueue<string> OpenFailures { get; } = new();

    /// <summary>File content bytes sent (DATA payloads).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Files => Volatile.Read(ref _files);

    /// <summary>Runs from the call's start until <see cref="Complete"/>.</summary>
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();

    public void Complete() => Elapsed.Stop();

    public void AddBytes(int count) => Interlocked.Add(ref _bytes, count);

    public void AddFile(string path)
    {
        Contents.Enqueue(path);
        Interlocked.Increment(ref _files);
    }
}
