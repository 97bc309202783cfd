// One CacheFrom publish, as a CI job would run it:
//   CacheFrom.Benchmark --image REPO --tag TAG --context DIR --cache registry|tarball|both
//                       [--builder buildkit|classic] [--cache-dir DIR] [--report-dir DIR] [--verbose]
// Exit code 0 on success; the log goes to stderr, the last stdout line is "seconds=N.NNN".
using System.Diagnostics;
using System.Globalization;
using CacheFrom;
using CacheFrom.Configuration;
using CacheFrom.Pipeline;
using CacheFrom.Reporting;
using Serilog;
using Serilog.Events;

var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
var verbose = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--verbose")
        verbose = true;
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
        arguments[args[i][2..]] = args[++i];
    else
        return Usage($"unexpected argument '{args[i]}'");
}

if (!arguments.TryGetValue("image", out var image) || !arguments.TryGetValue("context", out var context) || !arguments.TryGetValue("cache", out var cache))
    return Usage("--image, --context and --cache are required");

await using var logger = new LoggerConfiguration()
    .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: CultureInfo.InvariantCulture)
    .CreateLogger();

var options = new CacheFromOptions
{
    Image = image,
    Tag = arguments.GetValueOrDefault("tag", "main"),
    Context = context,
    WorkingDirectory = context,
    Cache = CacheFromParameters.ParseCacheMode(cache),
    Builder = CacheFromParameters.ParseBuilder(arguments.GetValueOrDefault("builder", "buildkit")),
    CacheDir = arguments.GetValueOrDefault("cache-dir"),
    ReportDir = arguments.GetValueOrDefault("report-dir"),
};

var stopwatch = Stopwatch.StartNew();
try
{
    await using var pipeline = await CachePipeline.OpenAsync(options, logger).ConfigureAwait(false);
    var record = await pipeline.PublishAsync().ConfigureAwait(false);
    stopwatch.Stop();
    var summary = RunSummary.Compute(record);
    logger.Information("Benchmark run: {Seconds:0.000} s; {Verdict:l}", stopwatch.Elapsed.TotalSeconds, summary.Verdict);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={stopwatch.Elapsed.TotalSeconds:0.000}"));
    return 0;
}
catch (CacheFromException exception)
{
    logger.Error("Benchmark run failed: {Message}", exception.Message);
    return 1;
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"{problem}\nusage: CacheFrom.Benchmark --image REPO --context DIR --cache registry|tarball|both [--tag TAG] [--builder buildkit|classic] [--cache-dir DIR] [--report-dir DIR] [--verbose]");
    return 2;
}
