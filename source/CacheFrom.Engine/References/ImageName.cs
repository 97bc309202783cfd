using System.Text.RegularExpressions;

namespace CacheFrom.References;

/// <summary>
/// An image as a Dockerfile names it (<c>FROM</c>, <c>COPY --from</c>): <c>[registry/]path[:tag][@digest]</c>,
/// the tag <c>latest</c> when neither tag nor digest is given, as the builders read it.
/// </summary>
internal sealed partial record ImageName(ImageReference Reference, string? Digest)
{
    /// <summary>The name, or null when it is not an image reference (a builder would refuse it too).</summary>
    public static ImageName? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.Trim();
        string? digest = null;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!DigestPattern().IsMatch(digest))
                return null;
        }

        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = "latest";
        if (colon > slash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        return ImageReference.TryParse(name, tag, out var reference, out _) ? new ImageName(reference!, digest) : null;
    }

    /// <summary>The digest when pinned, else the tag: what a registry is asked for.</summary>
    public string RegistryReference => Digest ?? Reference.Tag;

    [GeneratedRegex("^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();
}
