using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CacheFrom.References;

/// <summary>Docker's tag grammar: <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>.</summary>
public static partial class ImageTag
{
    public const int MaxLength = 128;

    public static bool IsValid(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>
    /// Turns a branch name into a legal tag: <c>feature/ABC_1</c> → <c>feature-ABC_1</c>.
    /// Runs of separators collapse to one <c>-</c>, so a sanitised tag never holds <c>--</c>,
    /// which <see cref="StageTagScheme"/> reserves for stage images. A name longer than the
    /// 128-character limit is cut and ends in <c>-</c> and a short hash of the whole name, so two
    /// long branches that share their first 119 characters still get two tags.
    /// </summary>
    public static string FromBranch(string branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        var name = branch.Trim();
        foreach (var prefix in new[] { "refs/heads/", "refs/tags/", "origin/" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                name = name[prefix.Length..];
        }

        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var legal = char.IsAsciiLetterOrDigit(c) || c is '_' or '.';
            var next = legal ? c : '-';
            if (next == '-' && builder.Length > 0 && builder[^1] == '-')
                continue;
            builder.Append(next);
        }

        var tag = builder.ToString().TrimStart('.', '-').TrimEnd('-', '.');
        if (tag.Length > MaxLength)
        {
            // Cut, and keep branches that share a long prefix apart: a short hash of the whole name.
            var hash = ShortHash(name);
            tag = $"{tag[..(MaxLength - hash.Length - 1)].TrimEnd('-', '.')}-{hash}";
        }

        return tag.Length == 0 ? "latest" : tag;
    }

    /// <summary>8 hex digits of the SHA-256 of <paramref name="text"/>: what keeps cut names distinct.</summary>
    internal static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}
