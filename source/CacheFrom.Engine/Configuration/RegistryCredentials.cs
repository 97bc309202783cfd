namespace CacheFrom.Configuration;

/// <summary>
/// Credentials for one registry: a user name and password (or access token), or an identity
/// token — the OAuth refresh token <c>docker login</c> stores for registries that issue one
/// (a credential helper answers it with the user name <c>&lt;token&gt;</c>). The engine and
/// BuildKit exchange an identity token for access tokens themselves. Never printed.
/// </summary>
public sealed class RegistryCredentials
{
    public RegistryCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        Username = username;
        Password = password;
    }

    private RegistryCredentials(string identityToken)
    {
        Username = "";
        Password = "";
        IdentityToken = identityToken;
    }

    /// <summary>The user name; empty for an identity token.</summary>
    public string Username { get; }

    /// <summary>The password or access token; empty for an identity token.</summary>
    public string Password { get; }

    /// <summary>The identity (refresh) token; null for a user name and password.</summary>
    public string? IdentityToken { get; }

    public bool IsIdentityToken => IdentityToken is not null;

    /// <summary>Credentials that are an identity token (what a credential helper means by the user name <c>&lt;token&gt;</c>).</summary>
    public static RegistryCredentials FromIdentityToken(string identityToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identityToken);
        return new RegistryCredentials(identityToken);
    }

    // Keeps the secret out of logs, exception messages and debugger displays.
    public override string ToString() => IsIdentityToken ? "<identity token>:***" : $"{Username}:***";
}
