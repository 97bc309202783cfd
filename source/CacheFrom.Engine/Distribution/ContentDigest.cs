using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CacheFrom.Distribution;

/// <summary>
/// Content digests (<c>sha256:…</c>, OCI image spec "Digests"): computed for what the client
/// writes, checked against what it reads. Only sha256 is computed; a registry that answers
/// with another algorithm is taken at its word.
/// </summary>
internal static partial class ContentDigest
{
    public const string Sha256Prefix = "sha256:";

    public static string Sha256(ReadOnlySpan<byte> content) => Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Sha256(IncrementalHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Sha256Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True for <c>algorithm:encoded</c> as the OCI grammar allows it; sha256 must be 64 lowercase hex digits.</summary>
    public static bool IsValid(string? digest) =>
        digest is not null && Grammar().IsMatch(digest)
        && (!digest.StartsWith(Sha256Prefix, StringComparison.Ordinal) || Sha256Pattern().IsMatch(digest));

    public static bool IsSha256(string digest) => digest.StartsWith(Sha256Prefix, StringComparison.Ordinal);

    /// <summary>A reference (the last part of a manifest URL) is a digest rather than a tag.</summary>
    public static bool IsDigestReference(string reference) => reference.Contains(':', StringComparison.Ordinal);

    [GeneratedRegex(@"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();
}
