namespace CacheFrom.References;

/// <summary>
/// How stage images are tagged: the final image is <c>repo:TAG</c>; an intermediate stage
/// <c>builder</c> is <c>repo:TAG--builder</c> in the same repository (so the same credentials
/// cover it). Sanitised branch tags never contain <c>--</c>, so the two cannot collide.
/// </summary>
public static class StageTagScheme
{
    public const string Separator = "--";

    /// <summary>The longest stage name a stage tag keeps whole when the tag must be cut.</summary>
    internal const int MaxStageLength = 64;

    public static string StageTag(string tag, string stage)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        var sanitised = Sanitise(stage);
        var full = tag + Separator + sanitised;
        if (full.Length <= ImageTag.MaxLength)
            return full;

        // Too long: cut the tag (and a very long stage name), keep both readable at either end,
        // and keep distinct pairs distinct with a short hash of the whole.
        var stagePart = sanitised.Length <= MaxStageLength ? sanitised : sanitised[..MaxStageLength].TrimEnd('-', '.');
        var hash = ImageTag.ShortHash(full);
        var room = ImageTag.MaxLength - hash.Length - 1 - Separator.Length - stagePart.Length;
        var tagPart = tag[..Math.Min(room, tag.Length)].TrimEnd('-', '.');
        return $"{tagPart}-{hash}{Separator}{stagePart}";
    }

    private static string Sanitise(string stage)
    {
        var chars = stage.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray();
        return new string(chars);
    }
}
