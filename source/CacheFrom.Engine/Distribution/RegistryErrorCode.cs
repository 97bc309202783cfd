namespace CacheFrom.Distribution;

/// <summary>The <c>errors[].code</c> values of the distribution spec that the client acts on.</summary>
internal static class RegistryErrorCode
{
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";
}
