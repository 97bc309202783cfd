using System.Text.Json;

namespace CacheFrom.Distribution;

/// <summary>
/// The spec's error body, <c>{"errors":[{"code":"…","message":"…","detail":…}]}</c>. A body that
/// is not one (an HTML page from a proxy, nothing at all on a HEAD) reads as no errors.
/// </summary>
internal sealed record RegistryErrorBody(IReadOnlyList<RegistryError> Errors)
{
    public static RegistryErrorBody None { get; } = new([]);

    /// <summary>The first error's code, or null.</summary>
    public string? Code => Errors.Count > 0 ? Errors[0].Code : null;

    public bool Has(string code) => Errors.Any(e => e.Code == code);

    /// <summary>"MANIFEST_UNKNOWN: manifest unknown" for each error, joined; null when there are none.</summary>
    public string? Describe() =>
        Errors.Count == 0 ? null : string.Join("; ", Errors.Select(e => e.Message is { Length: > 0 } m ? $"{e.Code}: {m}" : e.Code));

    public static RegistryErrorBody Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
            return None;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Array)
            {
                return None;
            }

            var list = new List<RegistryError>();
            foreach (var error in errors.EnumerateArray())
            {
                if (error.ValueKind == JsonValueKind.Object && Descriptor.String(error, "code") is { Length: > 0 } code)
                    list.Add(new RegistryError(code, Descriptor.String(error, "message")));
            }

            return new RegistryErrorBody(list);
        }
        catch (JsonException)
        {
            return None;
        }
    }
}

/// <summary>One entry of <see cref="RegistryErrorBody"/>; the detail is not kept (it may echo request data).</summary>
internal sealed record RegistryError(string Code, string? Message);
