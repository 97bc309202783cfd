using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace CacheFrom.Tests.Support;

/// <summary>
/// Hand-made <c>docker save</c> archives with the shapes the engines write: the legacy layout of
/// Docker 20.10 (<c>HEX.json</c> config, <c>ID/layer.tar</c>) and the OCI layout of the containerd
/// store (<c>blobs/sha256/HEX</c>), both with a <c>manifest.json</c>. Tests change one part at a time.
/// </summary>
internal static class SavedArchive
{
    public static byte[] Legacy(Action<Dictionary<string, byte[]>>? change = null)
    {
        var layer = Bytes("a layer's files, in a tar of their own");
        var config = Bytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:00"]}}""");
        var configName = Hex(config) + ".json";
        var files = new Dictionary<string, byte[]>
        {
            ["0bc5/VERSION"] = Bytes("1.0"),
            ["0bc5/layer.tar"] = layer,
            [configName] = config,
            ["manifest.json"] = Bytes($$"""[{"Config":"{{configName}}","RepoTags":["cachefrom-tests/app:main"],"Layers":["0bc5/layer.tar"]}]"""),
            ["repositories"] = Bytes("""{"cachefrom-tests/app":{"main":"0bc5"}}"""),
        };
        change?.Invoke(files);
        return Tar(files);
    }

    public static byte[] Oci(Action<Dictionary<string, byte[]>>? change = null)
    {
        var layer = Bytes("a compressed layer");
        var config = Bytes("""{"architecture":"amd64","os":"linux"}""");
        var files = new Dictionary<string, byte[]>
        {
            ["blobs/sha256/" + Hex(layer)] = layer,
            ["blobs/sha256/" + Hex(config)] = config,
            ["index.json"] = Bytes("""{"schemaVersion":2,"manifests":[]}"""),
            ["oci-layout"] = Bytes("""{"imageLayoutVersion":"1.0.0"}"""),
            ["manifest.json"] = Bytes($$"""[{"Config":"blobs/sha256/{{Hex(config)}}","RepoTags":["cachefrom-tests/app:main"],"Layers":["blobs/sha256/{{Hex(layer)}}"]}]"""),
        };
        change?.Invoke(files);
        return Tar(files);
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Tar(Dictionary<string, byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in files)
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        }

        return buffer.ToArray();
    }
}
