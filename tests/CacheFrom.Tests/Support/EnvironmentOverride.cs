namespace CacheFrom.Tests.Support;

/// <summary>Sets a process environment variable for one test and puts the old value back when disposed.</summary>
internal sealed class EnvironmentOverride : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentOverride(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
