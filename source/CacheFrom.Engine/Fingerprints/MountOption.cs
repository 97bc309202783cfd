namespace CacheFrom.Fingerprints;

/// <summary>
/// One <c>RUN --mount=…</c>: its type (<c>bind</c> when not given, as in BuildKit), where its
/// files come from (<c>from</c>: a stage or an image; none: the context) and which path of it.
/// </summary>
internal sealed record MountOption(string Type, string? From, string Source)
{
    public bool IsBind => Type.Equals("bind", StringComparison.OrdinalIgnoreCase);

    /// <summary>Cache, tmpfs, secret and ssh mounts change what a step can reach, not what its result is keyed on.</summary>
    public bool ShapesResult => IsBind;

    public static MountOption Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string type = "bind", source = "";
        string? from = null;
        foreach (var field in value.Split(','))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? field : field[..equals]).Trim().ToLowerInvariant();
            var text = equals < 0 ? "" : field[(equals + 1)..].Trim().Trim('"');
            switch (key)
            {
                case "type":
                    type = text;
                    break;
                case "from":
                    from = text.Length == 0 ? null : text;
                    break;
                case "source" or "src":
                    source = text;
                    break;
            }
        }

        return new MountOption(type, from, source);
    }
}
