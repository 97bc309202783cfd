namespace CacheFrom.Recording;

/// <summary>
/// The tarball LoadTarball serves to BuildKit as a loopback registry (the containerd image store)
/// and that registry's host. The registry lives only as long as the process that opened it: a later
/// process of the same run (a separate target, task or verb) serves the file again on a host of its
/// own and moves the winners there.
/// </summary>
internal sealed record ServedTarball(string Path, string Host);
