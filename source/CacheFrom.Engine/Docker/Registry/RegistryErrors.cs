using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace CacheFrom.Docker.Registry;

/// <summary>
/// Reads a registry error the engine relayed (inside a 200 stream, or as an HTTP error body) and
/// says what it is and what the user should do. It classifies by what the engine and the registry
/// report, never by a bare substring: a host or port that contains "401" or "denied"
/// (<c>127.0.0.1:34015</c>, <c>denied-registry.example</c>) must not read as a refused login.
/// <list type="bullet">
/// <item>network failures by Go's fixed phrases, which no host name can contain (they hold spaces);</item>
/// <item>the engine's own HTTP status on <c>/distribution</c> and <c>/images/create</c> (401, 403, 404, 429);</item>
/// <item>distribution error codes as the engine prints them, as whole segments of the Go error chain
/// (<c>unauthorized: …</c>, <c>denied</c>, <c>manifest unknown</c>, <c>toomanyrequests: …</c>);</item>
/// <item>HTTP status texts that end a segment (<c>…/manifests/1: 401 Unauthorized</c>, <c>HTTP status: 503 Service Unavailable</c>).</item>
/// </list>
/// Engine messages never hold the password.
/// </summary>
internal static partial class RegistryErrors
{
    /// <summary>What <paramref name="message"/> (the engine's words) says happened; <paramref name="status"/> is the engine's HTTP status, when the call had one.</summary>
    public static RegistryFailure Read(string message, HttpStatusCode? status = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Network(message) is { } network)
            return network;

        switch (status)
        {
            case HttpStatusCode.Unauthorized:
                return new(RegistryFailureKind.Unauthorized, "401 Unauthorized");
            case HttpStatusCode.Forbidden:
                return new(RegistryFailureKind.Denied, "403 Forbidden");
            case HttpStatusCode.NotFound:
                return new(RegistryFailureKind.NotFound, "not found");
            case HttpStatusCode.TooManyRequests:
                return new(RegistryFailureKind.RateLimited, "429 Too Many Requests");
        }

        var segments = Segments(message);
        if (segments.Any(s => Is(s, "unauthorized") || StartsWith(s, "unauthorized ") || Is(s, "authentication required")
            || Is(s, "no basic auth credentials") || Is(s, "authorization failed") || Is(s, "incorrect username or password")))
        {
            return new(RegistryFailureKind.Unauthorized, "unauthorized");
        }

        if (segments.Any(s => Is(s, "denied") || Is(s, "requested access to the resource is denied") || StartsWith(s, "insufficient_scope")
            || StartsWith(s, "pull access denied") || StartsWith(s, "push access denied")))
        {
            return new(RegistryFailureKind.Denied, "access denied");
        }

        if (segments.Any(s => Is(s, "toomanyrequests") || Is(s, "too many requests")))
            return new(RegistryFailureKind.RateLimited, "too many requests");

        if (segments.Any(s => StartsWith(s, "An image does not exist locally") || StartsWith(s, "tag does not exist") || StartsWith(s, "No such image")))
            return new(RegistryFailureKind.NotLocal, "no such local image");

        if (segments.Any(s => Is(s, "manifest unknown") || Is(s, "name unknown") || Is(s, "blob unknown") || Is(s, "not found")
            || Is(s, "repository name not known to registry") || ManifestNotFound().IsMatch(s) || s.Contains("does not exist", StringComparison.OrdinalIgnoreCase)))
        {
            return new(RegistryFailureKind.NotFound, "not found");
        }

        var manifestCommit = segments.Any(s => StartsWith(s, "failed commit on ref \"manifest-"));
        foreach (var segment in segments)
        {
            if (StatusText().Match(segment) is not { Success: true } match)
                continue;
            var code = int.Parse(match.Groups["code"].Value, CultureInfo.InvariantCulture);
            return code == 400 && manifestCommit
                ? new(RegistryFailureKind.ManifestLayersPending, "400 Bad Request for the manifest, whose layers were still being uploaded")
                : FromStatus(code, $"{match.Groups["code"].Value} {match.Groups["text"].Value}");
        }

        if (StatusNumber().Match(message) is { Success: true } number)
            return FromStatus(int.Parse(number.Groups["code"].Value, CultureInfo.InvariantCulture), "HTTP " + number.Groups["code"].Value);

        return new(RegistryFailureKind.Other, "");
    }

    /// <summary>The exception for a failed <paramref name="action"/> (e.g. "push of x:y") against <paramref name="registry"/>.</summary>
    public static RegistryException Classify(string registry, string action, string engineMessage, Exception? inner = null, HttpStatusCode? status = null)
    {
        var failure = Read(engineMessage, status);
        var detail = engineMessage.TrimEnd('.');
        return failure.Kind switch
        {
            RegistryFailureKind.Unauthorized => new RegistryAuthenticationException(
                registry,
                $"The registry {registry} refused the {action}: {detail}. Check docker-username/docker-password, or the login `docker login {registry}` "
                + "stored (the Docker config file or its credential helper).",
                inner) { Kind = failure.Kind },
            RegistryFailureKind.Denied => new RegistryAuthenticationException(
                registry,
                $"The registry {registry} denied the {action}: {detail}. Check that the repository name is right and that the account of "
                + $"docker-username (or of `docker login {registry}`) may do this there.",
                inner) { Kind = failure.Kind },
            RegistryFailureKind.NotFound => new RegistryException(registry, $"The {action} failed: it does not exist ({detail}).", inner) { Kind = failure.Kind },
            RegistryFailureKind.NotLocal => new RegistryException(registry, $"The {action} failed: the engine has no such image ({detail}).", inner) { Kind = failure.Kind },
            RegistryFailureKind.Unreachable or RegistryFailureKind.TimedOut or RegistryFailureKind.HostNotFound or RegistryFailureKind.Untrusted =>
                new RegistryException(registry, $"The {action} failed: registry {registry} is unreachable ({failure.Reason}).", inner) { Kind = failure.Kind },
            RegistryFailureKind.RateLimited => new RegistryException(
                registry,
                $"The registry {registry} is limiting requests ({detail}): the {action} failed. Logging in (docker-username/docker-password) often raises the limit.",
                inner) { Kind = failure.Kind },
            RegistryFailureKind.ServerError => new RegistryException(
                registry, $"The {action} failed at registry {registry}: it answered {failure.Reason} ({detail}).", inner) { Kind = failure.Kind },
            _ => new RegistryException(registry, $"The {action} failed at registry {registry}: {detail}", inner) { Kind = failure.Kind },
        };
    }

    // Go's net and TLS errors: fixed phrases with spaces, so no host name or port can fake them.
    private static RegistryFailure? Network(string message)
    {
        if (Has(message, "connection refused"))
            return new(RegistryFailureKind.Unreachable, "connection refused");
        if (Has(message, "no such host") || Has(message, "host not found"))
            return new(RegistryFailureKind.HostNotFound, "host not found");
        if (Has(message, "server misbehaving"))
            return new(RegistryFailureKind.Unreachable, "DNS lookup failed");
        if (Has(message, "server gave HTTP response to HTTPS client") || Has(message, "first record does not look like a TLS handshake"))
            return new(RegistryFailureKind.Untrusted, "it speaks plain HTTP; add it to the engine's insecure-registries");
        if (Segments(message).Any(s => StartsWith(s, "x509") || StartsWith(s, "tls: failed to verify certificate")))
            return new(RegistryFailureKind.Untrusted, "its TLS certificate is not trusted");
        if (Timeout().IsMatch(message))
            return new(RegistryFailureKind.TimedOut, "timed out");
        if (Has(message, "network is unreachable") || Has(message, "network unreachable") || Has(message, "no route to host"))
            return new(RegistryFailureKind.Unreachable, "network unreachable");
        if (Has(message, "connection reset"))
            return new(RegistryFailureKind.Unreachable, "connection reset");
        if (Has(message, "broken pipe"))
            return new(RegistryFailureKind.Unreachable, "broken pipe");
        if (Segments(message).Any(s => s == "EOF" || s.EndsWith(" EOF", StringComparison.Ordinal) || Is(s, "unexpected EOF")))
            return new(RegistryFailureKind.Unreachable, "the connection closed early");
        return null;
    }

    private static RegistryFailure FromStatus(int code, string reason) => code switch
    {
        401 => new(RegistryFailureKind.Unauthorized, reason),
        403 => new(RegistryFailureKind.Denied, reason),
        404 => new(RegistryFailureKind.NotFound, reason),
        408 => new(RegistryFailureKind.TimedOut, reason),
        429 => new(RegistryFailureKind.RateLimited, reason),
        >= 500 and < 600 => new(RegistryFailureKind.ServerError, reason),
        _ => new(RegistryFailureKind.Other, reason),
    };

    /// <summary>A Go error chain's parts: <c>a: b: c</c>. A URL's or a port's colon has no space after it.</summary>
    private static string[] Segments(string message) =>
        message.Trim().TrimEnd('.').Split(": ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static bool Has(string message, string phrase) => message.Contains(phrase, StringComparison.OrdinalIgnoreCase);

    private static bool Is(string segment, string text) => string.Equals(segment, text, StringComparison.OrdinalIgnoreCase);

    private static bool StartsWith(string segment, string text) => segment.StartsWith(text, StringComparison.OrdinalIgnoreCase);

    // "manifest for 127.0.0.1:5000/app:tag not found" (the engine's pull message).
    [GeneratedRegex(@"^manifest for \S+ not found$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ManifestNotFound();

    // A whole segment that is an HTTP status line's code and text: "401 Unauthorized", "503 Service Unavailable".
    [GeneratedRegex(@"^(?<code>[1-5]\d\d) (?<text>[A-Z][A-Za-z\-]*(?: [A-Z][A-Za-z\-]*)*)$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusText();

    // "status code 502", "status: 503", "HTTP 502 response": a status after a word that names it, never a bare number (a port).
    [GeneratedRegex(@"(?:\bstatus(?: code)?:?\s*|\bHTTP )(?<code>[45]\d\d)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StatusNumber();

    [GeneratedRegex(@"i/o timeout|TLS handshake timeout|Client\.Timeout exceeded|timeout awaiting response headers|context deadline exceeded|\btimed out\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Timeout();
}
