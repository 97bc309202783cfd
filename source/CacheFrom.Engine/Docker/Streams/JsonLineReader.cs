using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace CacheFrom.Docker.Streams;

/// <summary>
/// Reads an engine response stream (one JSON object per line) as it arrives. Used where
/// Docker.DotNet's typed progress cannot cope (BuildKit's base64 <c>aux</c>). Cancellation
/// closes the stream, so a silent engine cannot keep a cancelled read waiting.
/// </summary>
internal static class JsonLineReader
{
    public static async IAsyncEnumerable<JsonElement> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        await using var registration = cancellationToken.Register(stream.Dispose).ConfigureAwait(false);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // Our cancel disposed the stream under a read in progress; whatever the HTTP client throws then
                // (ObjectDisposed, IOException, even NotSupported from its buffer) is that cancel.
                throw new OperationCanceledException("The read was cancelled.", exception, cancellationToken);
            }

            if (line is null)
                yield break;
            if (string.IsNullOrWhiteSpace(line))
                continue;

            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's error page, a truncated line): keep it as plain output.
                element = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["stream"] = line + "\n" });
            }

            yield return element;
        }
    }

    public static string? GetString(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The message of an <c>error</c>/<c>errorDetail</c> line, or null.</summary>
    public static string? GetError(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return null;
        if (element.TryGetProperty("errorDetail", out var detail) && detail.GetString("message") is { Length: > 0 } message)
            return message;
        return element.GetString("error");
    }
}
