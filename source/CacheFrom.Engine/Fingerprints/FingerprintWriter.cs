using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CacheFrom.Fingerprints;

/// <summary>
/// SHA-256 over named, length-prefixed fields, so that no two different field lists can hash
/// alike (<c>("ab", "c")</c> and <c>("a", "bc")</c> differ). Digests read <c>sha256:HEX</c>.
/// </summary>
internal sealed class FingerprintWriter : IDisposable
{
    /// <summary>Hex digits kept by <see cref="Short"/>: 48 bits, enough to tell a change apart from chance.</summary>
    public const int ShortLength = 12;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public FingerprintWriter Add(string name, string? value)
    {
        Write(name);
        if (value is null)
        {
            Span<byte> none = [0xFF];
            _hash.AppendData(none);
        }
        else
        {
            Span<byte> some = [0x01];
            _hash.AppendData(some);
            Write(value);
        }

        return this;
    }

    public FingerprintWriter Add(string name, long value) => Add(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The digest, <c>sha256:</c> and 64 hex digits. The writer cannot be used afterwards.</summary>
    public string Finish() => "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();

    /// <summary>The digest of one text, <c>sha256:HEX</c>.</summary>
    public static string Of(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The first <see cref="ShortLength"/> hex digits of a digest (or of any text's digest when it is not one), for summaries.</summary>
    public static string Short(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : digest;
        return hex.Length >= ShortLength ? hex[..ShortLength] : hex;
    }

    private void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
    }
}
