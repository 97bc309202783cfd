using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace CacheFrom.Configuration;

/// <summary>
/// Runs a Docker credential helper the way the docker CLI does: <c>docker-credential-NAME get</c>
/// with the server address on stdin, <c>{"ServerURL","Username","Secret"}</c> on stdout. A user
/// name of <c>&lt;token&gt;</c> makes the secret an identity token; "credentials not found" (a
/// failing exit with that text) means none, not an error. Bounded by a timeout. What the helper
/// prints never reaches a log, report or exception: failures name the helper, the registry and
/// the exit code, and how to see the output yourself.
/// </summary>
internal static class CredentialHelper
{
    public const string Prefix = "docker-credential-";

    private const string TokenUsername = "<token>";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The helper's credentials for <paramref name="serverAddress"/>; null when it has none.</summary>
    /// <param name="name">The helper's suffix (<c>desktop</c>, <c>ecr-login</c>, …).</param>
    /// <param name="serverAddress">What docker asks with: <c>https://index.docker.io/v1/</c> for Docker Hub, else <c>host[:port]</c>.</param>
    /// <param name="origin">Where the helper was named, for messages (<c>credHelpers in /root/.docker/config.json</c>).</param>
    public static RegistryCredentials? Get(string name, string serverAddress, string origin, TimeSpan? timeout = null)
    {
        var program = Prefix + name;
        var limit = timeout ?? DefaultTimeout;
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("get");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception)
        {
            throw new CacheFromException(
                $"The Docker config names the credential helper '{name}' for {serverAddress} ({origin}), but {program} is not on PATH. "
                + $"Install it, remove the entry from the Docker config, or pass docker-username/docker-password.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(serverAddress);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code says the rest.
            }

            if (!process.WaitForExit(limit))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited just now.
                }

                throw new CacheFromException(
                    $"The credential helper {program} ({origin}) did not answer for {serverAddress} within {limit.TotalSeconds:0} s and was stopped. "
                    + "Check that it works on this machine (a desktop keychain may be locked or absent on a CI runner), or pass docker-username/docker-password.");
            }

            process.WaitForExit();
            var stdout = output.GetAwaiter().GetResult();
            var stderr = error.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                if (NotFound(stdout) || NotFound(stderr))
                    return null;
                throw new CacheFromException(
                    $"The credential helper {program} ({origin}) failed for {serverAddress} with exit code {process.ExitCode}. Its output is not shown, "
                    + $"since it may hold secrets; run `printf '{serverAddress}' | {program} get` to see it, or pass docker-username/docker-password.");
            }

            return Parse(stdout, program, serverAddress, origin);
        }
    }

    private static bool NotFound(string text) => text.Contains("credentials not found", StringComparison.OrdinalIgnoreCase);

    private static RegistryCredentials? Parse(string stdout, string program, string serverAddress, string origin)
    {
        string? username;
        string? secret;
        try
        {
            using var document = JsonDocument.Parse(stdout);
            username = Text(document.RootElement, "Username");
            secret = Text(document.RootElement, "Secret");
        }
        catch (JsonException)
        {
            throw new CacheFromException(
                $"The credential helper {program} ({origin}) answered for {serverAddress} with something other than the JSON Docker expects "
                + "({\"ServerURL\",\"Username\",\"Secret\"}); its output is not shown, since it may hold secrets.");
        }

        if (string.IsNullOrEmpty(secret))
            return null;
        if (username == TokenUsername)
            return RegistryCredentials.FromIdentityToken(secret);
        return string.IsNullOrEmpty(username) ? null : new RegistryCredentials(username, secret);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
