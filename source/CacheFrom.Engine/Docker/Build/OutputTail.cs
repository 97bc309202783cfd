namespace CacheFrom.Docker.Build;

/// <summary>The last lines of some output: what a build failure carries.</summary>
internal sealed class OutputTail(int capacity = OutputTail.DefaultCapacity)
{
    public const int DefaultCapacity = 20;

    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > capacity)
            _lines.Dequeue();
    }

    public IReadOnlyList<string> Lines => [.. _lines];
}
