using System.Security.Cryptography;
using System.Text;

namespace CacheFrom.References;

/// <summary>
/// How stage images are tagged: the final image is <c>repo:TAG</c>; an intermediate stage
/// <c>builder</c> is <c>repo:TAG--builder</c> in the same repository (so the same credentials
/// cover it). Sanitised branch tags never contain <c>--</c>, so the two cannot collide.
/// </summary>
public static class StageTagScheme
{
    public const string Separator = "--";

    public static string StageTag(string tag, string stage)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        var suffix = Separator + Sanitise(stage);
        var full = tag + suffix;
        if (full.Length <= ImageTag.MaxLength)
            return full;

        // Too long: keep the stage readable and keep distinct tags distinct with a short hash.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tag)))[..8];
        var room = ImageTag.MaxLength - suffix.Length - hash.Length - 1;
        return $"{tag[..Math.Max(1, room)]}-{hash}{suffix}";
    }

    private static string Sanitise(string stage)
    {
        var chars = stage.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray();
        return new string(chars);
    }
}
