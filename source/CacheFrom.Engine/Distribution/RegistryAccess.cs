namespace CacheFrom.Distribution;

/// <summary>What a request needs to do in its repository: the token scope's actions.</summary>
internal enum RegistryAccess
{
    Pull,
    Push,
    Delete,
}

internal static class RegistryAccessExtensions
{
    /// <summary>The actions of a scope (<c>repository:NAME:ACTIONS</c>); a push reads too, so it asks for both.</summary>
    public static string Actions(this RegistryAccess access) => access switch
    {
        RegistryAccess.Pull => "pull",
        RegistryAccess.Push => "pull,push",
        RegistryAccess.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, null),
    };
}
