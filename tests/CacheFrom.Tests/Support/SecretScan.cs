using System.Text;
using System.Text.RegularExpressions;
using CacheFrom.Configuration;
using CacheFrom.Recording;
using CacheFrom.Reporting;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Looks for a secret in text the way someone reading a log would find it: in clear, JSON-escaped,
/// or inside anything base64 (standard or URL-safe, as in <c>X-Registry-Auth</c>, <c>X-Registry-Config</c>
/// and config.json's <c>auth</c>), decoded — nested encodings too. Guessing the encoded forms misses
/// a secret inside a longer encoded header; decoding every candidate does not.
/// </summary>
internal static partial class SecretScan
{
    private const int MaxDepth = 3;

    /// <summary>True when <paramref name="secret"/> appears in <paramref name="text"/> in any of those forms.</summary>
    public static bool Contains(string text, string secret) => Contains(text, secret, 0);

    /// <summary>Fails when the secret, in any of those forms, is in the log, the exception or any report file of the run.</summary>
    public static async Task AssertAbsentAsync(string secret, TestLogger log, CacheFromOptions options, RunRecord? record, Exception? exception)
    {
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
            Assert.That(Contains(text, secret), Is.False, $"a form of the secret appears in {where}");
    }

    private static bool Contains(string text, string secret, int depth)
    {
        if (text.Contains(secret, StringComparison.Ordinal) || JsonUnescape(text).Contains(secret, StringComparison.Ordinal))
            return true;

        if (depth == MaxDepth)
            return false;
        foreach (Match token in Base64Token().Matches(text))
        {
            if (Decode(token.Value) is { } decoded && Contains(decoded, secret, depth + 1))
                return true;
        }

        return false;
    }

    private static string JsonUnescape(string text) => JsonEscapes().Replace(text, m => m.Value[1] switch
    {
        'u' => ((char)Convert.ToInt32(m.Value[2..], 16)).ToString(),
        'b' => "\b",
        'f' => "\f",
        'n' => "\n",
        'r' => "\r",
        't' => "\t",
        var c => c.ToString(),
    });

    private static string? Decode(string token)
    {
        var normal = token.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        normal = normal.PadRight(normal.Length + ((4 - (normal.Length % 4)) % 4), '=');
        var bytes = new byte[normal.Length];
        if (!Convert.TryFromBase64String(normal, bytes, out var length))
            return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    // Runs of base64 or base64url characters long enough to hold a short secret.
    [GeneratedRegex("[A-Za-z0-9+/_-]{8,}={0,2}")]
    private static partial Regex Base64Token();

    [GeneratedRegex(@"\\u[0-9a-fA-F]{4}|\\[""\\/bfnrt]")]
    private static partial Regex JsonEscapes();
}
