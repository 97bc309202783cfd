using System.Text.Json;
using System.Text.Json.Serialization;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using Serilog;

namespace CacheFrom.Pipeline;

/// <summary>
/// Persists the run record after each step (<c>REPORTDIR/run.json</c>). Within one process the
/// pipeline holds the record itself; a host that runs the steps in separate processes (the Cake
/// recipe through the dotnet tool) names the run with a run id, and a later process with the same
/// id continues the record. Anything else is a past run.
/// </summary>
internal sealed class RunRecordStore
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly ILogger _logger;

    public RunRecordStore(string reportDirectory, ILogger logger)
    {
        Path = System.IO.Path.Combine(reportDirectory, "run.json");
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>The record of run <paramref name="runId"/> when one is stored for this image and tag, else a new run (with that id, when given).</summary>
    public RunRecord OpenOrStart(CacheFromSettings settings, IReadOnlyList<StageImage> stages, string? runId)
    {
        if (runId is not null
            && TryRead() is { } previous
            && previous.RunId == runId
            && previous.Image == settings.Image.Repository
            && previous.Tag == settings.Image.Tag)
        {
            return previous;
        }

        var record = Start(settings, stages);
        if (runId is not null)
            record.RunId = runId;
        return record;
    }

    public static RunRecord Start(CacheFromSettings settings, IReadOnlyList<StageImage> stages)
    {
        var record = new RunRecord
        {
            StartedAt = DateTimeOffset.UtcNow,
            Image = settings.Image.Repository,
            Tag = settings.Image.Tag,
            Builder = settings.Builder,
            Cache = settings.Cache,
            Push = settings.Push,
        };
        record.Stages.AddRange(stages.Select(s => new StageRecord(s.Name, s.IsFinal, s.Image.ToString())));
        return record;
    }

    public async Task SaveAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temp = Path + ".partial";
            await using (var stream = File.Create(temp))
                await JsonSerializer.SerializeAsync(stream, record, JsonOptions, cancellationToken).ConfigureAwait(false);
            File.Move(temp, Path, overwrite: true);
        }
        catch (IOException exception)
        {
            // The record is a by-product; losing it must not fail the build.
            _logger.Warning(exception, "Could not write the run record {Path}", Path);
        }
    }

    private RunRecord? TryRead()
    {
        if (!File.Exists(Path))
            return null;
        try
        {
            var record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(Path), JsonOptions);
            return record?.SchemaVersion == RunRecord.CurrentSchemaVersion ? record : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or NotSupportedException)
        {
            _logger.Debug(exception, "Ignoring an unreadable run record {Path}", Path);
            return null;
        }
    }
}
