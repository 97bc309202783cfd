using System.Text;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Reporting;

namespace CacheFrom.Tests.Support;

/// <summary>Checks that a secret, in clear or in any encoding the engine API or a config file uses, is in no log line, report file or exception.</summary>
internal static class SecretScan
{
    public static async Task AssertAbsentAsync(string user, string secret, TestLogger log, CacheFromOptions options, RunRecord? record, Exception? exception)
    {
        var forms = new[]
        {
            secret,
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"\"password\":\"{secret}\"")),
        };

        var reportDir = Path.Combine(options.WorkingDirectory!, CacheFromDefaults.ReportDir);
        if (record is not null)
            await ReportWriter.WriteAsync(record, reportDir, log.Logger);
        var texts = new List<(string Where, string Text)> { ("log", log.AllText) };
        if (exception is not null)
            texts.Add(("exception", exception.ToString()));
        foreach (var file in Directory.Exists(reportDir) ? Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories) : [])
            texts.Add((file, await File.ReadAllTextAsync(file)));

        Assert.That(texts.Select(t => t.Where), Has.Some.EndsWith("run.json"), "the run record was written and read");
        foreach (var (where, text) in texts)
            Assert.That(forms.Any(f => text.Contains(f, StringComparison.Ordinal)), Is.False, $"a form of the secret appears in {where}");
    }
}
