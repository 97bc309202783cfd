using System.Text.Json;
using CacheFrom.Pipeline;
using CacheFrom.Recording;

namespace CacheFrom.Tests.Support;

/// <summary>The run record a host process left in its report directory (<c>run.json</c>), read as the engine writes it.</summary>
internal static class RunRecordFile
{
    /// <summary>The engine's default report directory under <paramref name="workingDirectory"/>.</summary>
    public static string DefaultPath(string workingDirectory) => Path.Combine(workingDirectory, ".nuke", "temp", "cachefrom", "run.json");

    public static RunRecord Read(string path)
    {
        var record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), RunRecordStore.JsonOptions);
        return record ?? throw new AssertionException($"{path} holds no run record");
    }
}
