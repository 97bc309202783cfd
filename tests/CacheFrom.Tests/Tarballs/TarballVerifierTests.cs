using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Tarballs;

/// <summary>The local read that alone decides a tarball is corrupt: on hand-made archives of both layouts, no engine.</summary>
public sealed class TarballVerifierTests
{
    public static IEnumerable<TestCaseData> Layouts()
    {
        yield return new TestCaseData((object)(Func<Action<Dictionary<string, byte[]>>?, byte[]>)SavedArchive.Legacy).SetArgDisplayNames("legacy");
        yield return new TestCaseData((object)(Func<Action<Dictionary<string, byte[]>>?, byte[]>)SavedArchive.Oci).SetArgDisplayNames("oci");
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_complete_archive_of_either_layout_passes(object layout)
    {
        using var stream = new MemoryStream(Make(layout, null));

        Assert.DoesNotThrowAsync(() => TarballVerifier.VerifyAsync(stream, "store/app/main.tar"));
    }

    [TestCase(0.25)]
    [TestCase(0.5)]
    [TestCase(0.75)]
    public void An_archive_cut_short_inside_an_entry_is_corrupt(double keep)
    {
        // A big layer, so every cut lands inside its data.
        var bytes = SavedArchive.Legacy(files => files["0bc5/layer.tar"] = new byte[200_000]);

        var exception = Verify(bytes[..(int)(bytes.Length * keep)]);

        Assert.That(exception.Message, Does.Contain("store/app/main.tar").And.Contain("not a complete tar archive"));
    }

    [TestCase("this is not a tar file at all")]
    [TestCase(null)]
    public void Garbage_is_corrupt(string? text)
    {
        var bytes = text is null ? Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray() : SavedArchive.Bytes(text);

        var exception = Verify(bytes);

        TestContext.Out.WriteLine(exception.Message);
        Assert.That(exception.Message, Does.Contain("not a"));
    }

    [Test]
    public void An_archive_without_a_manifest_is_corrupt() =>
        Assert.That(Verify(SavedArchive.Legacy(files => files.Remove("manifest.json"))).Message, Does.Contain("no manifest.json"));

    [Test]
    public void A_manifest_that_is_not_json_is_corrupt() =>
        Assert.That(Verify(SavedArchive.Oci(files => files["manifest.json"] = SavedArchive.Bytes("[{\"Config\":"))).Message, Does.Contain("not valid JSON"));

    [Test]
    public void A_manifest_that_lists_no_image_is_corrupt() =>
        Assert.That(Verify(SavedArchive.Oci(files => files["manifest.json"] = SavedArchive.Bytes("[]"))).Message, Does.Contain("lists no image"));

    [Test]
    public void A_manifest_naming_a_layer_the_archive_lacks_is_corrupt() =>
        Assert.That(Verify(SavedArchive.Legacy(files => files.Remove("0bc5/layer.tar"))).Message, Does.Contain("names 0bc5/layer.tar, which the archive does not hold"));

    [Test]
    public void A_blob_whose_bytes_do_not_hash_to_its_name_is_corrupt()
    {
        var bytes = SavedArchive.Oci(files =>
        {
            var blob = files.Keys.First(k => k.StartsWith("blobs/", StringComparison.Ordinal));
            files[blob] = SavedArchive.Bytes("flipped bits");
        });

        Assert.That(Verify(bytes).Message, Does.Contain("does not match its digest"));
    }

    private static byte[] Make(object layout, Action<Dictionary<string, byte[]>>? change) =>
        ((Func<Action<Dictionary<string, byte[]>>?, byte[]>)layout)(change);

    private static CorruptTarballException Verify(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.ThrowsAsync<CorruptTarballException>(() => TarballVerifier.VerifyAsync(stream, "store/app/main.tar"))!;
    }
}
