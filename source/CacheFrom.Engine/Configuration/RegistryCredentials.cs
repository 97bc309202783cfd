namespace CacheFrom.Configuration;

/// <summary>User name and password (or token) for one registry. Never printed.</summary>
public sealed class RegistryCredentials
{
    public RegistryCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        Username = username;
        Password = password;
    }

    public string Username { get; }

    public string Password { get; }

    // Keeps the secret out of logs, exception messages and debugger displays.
    public override string ToString() => $"{Username}:***";
}
