namespace CacheFrom.Distribution;

/// <summary>The media types the client reads and writes (OCI image spec, Docker image manifest v2 schema 2).</summary>
internal static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>The OCI 1.1 empty descriptor's type: the config of an artifact that has none.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";

    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>What a manifest GET or HEAD accepts: every manifest and index type the client understands.</summary>
    public static readonly IReadOnlyList<string> Manifests = [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}
