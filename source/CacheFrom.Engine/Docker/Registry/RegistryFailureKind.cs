namespace CacheFrom.Docker.Registry;

/// <summary>What a registry failure is, read by <see cref="RegistryErrors"/>; whether it is worth a retry is <see cref="Resilience.TransientFaults"/>'s call.</summary>
internal enum RegistryFailureKind
{
    /// <summary>Not recognised: the engine's message is passed on as it is.</summary>
    Other,

    /// <summary>Refused, reset or dropped connections, unreachable networks, DNS server failures.</summary>
    Unreachable,

    /// <summary>No answer in time (i/o timeouts, deadlines, a stalled transfer).</summary>
    TimedOut,

    /// <summary>The registry's host name does not resolve.</summary>
    HostNotFound,

    /// <summary>TLS trouble: an untrusted certificate, or a plain-HTTP registry spoken to in HTTPS.</summary>
    Untrusted,

    /// <summary>No or wrong credentials (HTTP 401, UNAUTHORIZED, "no basic auth credentials").</summary>
    Unauthorized,

    /// <summary>Known credentials without the right to do this (HTTP 403, DENIED, "push access denied").</summary>
    Denied,

    /// <summary>No such tag or repository in the registry (HTTP 404, MANIFEST_UNKNOWN, NAME_UNKNOWN).</summary>
    NotFound,

    /// <summary>The engine has no such image to push.</summary>
    NotLocal,

    /// <summary>HTTP 429, TOOMANYREQUESTS.</summary>
    RateLimited,

    /// <summary>The registry answered 5xx.</summary>
    ServerError,

    /// <summary>
    /// A pushed manifest refused (400) while a layer it names was still being uploaded: containerd's
    /// pusher (the containerd image store) skips a layer that a concurrent push of the same content
    /// in the same engine is uploading, and the manifest can arrive first.
    /// </summary>
    ManifestLayersPending,
}
