using System.Net.Http.Headers;
using System.Text;

namespace CacheFrom.Distribution;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge (RFC 7235): <c>Basic realm="…"</c> or
/// <c>Bearer realm="…",service="…",scope="…"</c> as docker's token auth spec writes it.
/// </summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => string.Equals(Scheme, "Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => string.Equals(Scheme, "Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>Space-separated scopes the registry asks for, if it says.</summary>
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>RFC 6750's <c>error</c>, e.g. <c>insufficient_scope</c> or <c>invalid_token</c>.</summary>
    public string? Error => Parameters.GetValueOrDefault("error");

    /// <summary>The challenge this client answers: Bearer before Basic; null when the response has none it understands.</summary>
    public static AuthChallenge? From(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var challenges = headers.Select(h => new AuthChallenge(h.Scheme, ParseParameters(h.Parameter ?? ""))).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer && c.Realm is not null) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary><c>key=value</c> pairs separated by commas; values are tokens or quoted strings with backslash escapes.</summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] is ',' || char.IsWhiteSpace(text[i])))
                i++;
            var keyStart = i;
            while (i < text.Length && text[i] is not ('=' or ',') && !char.IsWhiteSpace(text[i]))
                i++;
            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
                i++;
            if (i >= text.Length || text[i] != '=')
            {
                // A bare token (token68) or garbage: nothing this client reads.
                while (i < text.Length && text[i] != ',')
                    i++;
                continue;
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
                i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                        i++;
                    value.Append(text[i]);
                    i++;
                }

                i++;
            }
            else
            {
                while (i < text.Length && text[i] != ',' && !char.IsWhiteSpace(text[i]))
                    value.Append(text[i++]);
            }

            if (key.Length > 0)
                parameters[key] = value.ToString();
        }

        return parameters;
    }
}
