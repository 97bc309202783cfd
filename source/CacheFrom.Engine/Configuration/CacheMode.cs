namespace CacheFrom.Configuration;

/// <summary>Where the layer cache travels between otherwise independent runs.</summary>
public enum CacheMode
{
    /// <summary>Images pushed to and read from the registry named by the image reference.</summary>
    Registry,

    /// <summary><c>docker save</c>/<c>docker load</c> tarballs in a shared directory.</summary>
    Tarball,

    /// <summary>Registry and tarball.</summary>
    Both,

    /// <summary>No cache is read or written; the build runs cold.</summary>
    None,
}
