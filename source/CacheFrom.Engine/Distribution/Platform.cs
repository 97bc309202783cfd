using System.Runtime.InteropServices;

namespace CacheFrom.Distribution;

/// <summary>An image platform as an index names it (<c>linux/amd64</c>, <c>linux/arm64/v8</c>).</summary>
internal sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>Linux on this process's architecture: what the engine next to it most likely runs.</summary>
    public static Platform Default { get; } = new("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
    });

    /// <summary>Same os and architecture; the variant only when both name one.</summary>
    public bool Matches(Platform other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Os == other.Os && Architecture == other.Architecture
            && (Variant is null || other.Variant is null || Variant == other.Variant);
    }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
