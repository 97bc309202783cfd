using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// TLS to a tcp engine, set up from the environment as the docker CLI does it:
/// <c>DOCKER_TLS_VERIFY</c> set to anything (<c>0</c> included; only empty or unset is off) means
/// TLS that checks the engine's certificate against <c>ca.pem</c> and the endpoint's host name;
/// <c>DOCKER_TLS</c> alone means TLS without that check. The files come from
/// <c>DOCKER_CERT_PATH</c>, else the Docker config directory (<c>DOCKER_CONFIG</c>, else
/// <c>~/.docker</c>): <c>ca.pem</c> is required, <c>cert.pem</c> and <c>key.pem</c> are the client
/// certificate when both exist. Read once, when the endpoint is resolved.
/// </summary>
internal sealed class EngineTls
{
    private EngineTls(bool verify, string directory, string setting, X509Certificate2Collection authorities, X509Certificate2? clientCertificate)
    {
        Verify = verify;
        Directory = directory;
        Setting = setting;
        Authorities = authorities;
        ClientCertificate = clientCertificate;
    }

    /// <summary>Check the engine's certificate (DOCKER_TLS_VERIFY); false: encrypt only (DOCKER_TLS).</summary>
    public bool Verify { get; }

    /// <summary>Where ca.pem, cert.pem and key.pem were read.</summary>
    public string Directory { get; }

    /// <summary>The variable that asked for TLS, for messages: <c>DOCKER_TLS_VERIFY</c> or <c>DOCKER_TLS</c>.</summary>
    public string Setting { get; }

    /// <summary>The certificates of ca.pem: the only roots an engine certificate may chain to.</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>cert.pem with key.pem; null when either file is missing (engines without --tlsverify need none).</summary>
    public X509Certificate2? ClientCertificate { get; }

    public static bool IsRequested(IReadOnlyDictionary<string, string?> environment) =>
        !string.IsNullOrEmpty(environment.GetValueOrDefault("DOCKER_TLS_VERIFY")) || !string.IsNullOrEmpty(environment.GetValueOrDefault("DOCKER_TLS"));

    /// <summary>The TLS settings the environment asks for; null when it asks for none.</summary>
    public static EngineTls? FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        if (!IsRequested(environment))
            return null;

        var verify = !string.IsNullOrEmpty(environment.GetValueOrDefault("DOCKER_TLS_VERIFY"));
        var setting = verify ? "DOCKER_TLS_VERIFY" : "DOCKER_TLS";
        var directory = CertificateDirectory(environment);
        var caFile = Path.Combine(directory, "ca.pem");
        var certFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");

        if (!File.Exists(caFile))
        {
            throw new CacheFromConfigurationException([
                $"{setting} is set, but {caFile} does not exist: copy the engine's CA certificate there with the client's cert.pem and key.pem "
                + "(GitLab's docker:dind writes all three to $DOCKER_TLS_CERTDIR/client), or point DOCKER_CERT_PATH at the folder that holds them",
            ]);
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caFile);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CacheFromConfigurationException([$"{caFile} could not be read as PEM certificates ({exception.Message})"]);
        }

        if (authorities.Count == 0)
            throw new CacheFromConfigurationException([$"{caFile} holds no certificate (expected the engine's CA in PEM form)"]);

        X509Certificate2? client = null;
        if (File.Exists(certFile) && File.Exists(keyFile))
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            }
            catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new CacheFromConfigurationException([
                    $"the client certificate {certFile} with {keyFile} could not be read ({exception.Message.TrimEnd('.')}); "
                    + "they must be PEM files of one key pair, the key unencrypted (Docker does not support encrypted keys either)",
                ]);
            }
        }

        return new EngineTls(verify, directory, setting, authorities, client);
    }

    /// <summary>A certificate's names as a user compares them with DOCKER_HOST: its DNS and IP subject alternative names, else its subject.</summary>
    public static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        return names.Count > 0 ? string.Join(", ", names) : certificate.Subject;
    }

    private static string CertificateDirectory(IReadOnlyDictionary<string, string?> environment)
    {
        if (environment.GetValueOrDefault("DOCKER_CERT_PATH") is { Length: > 0 } certPath)
            return certPath;
        if (environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } config)
            return config;
        var home = environment.GetValueOrDefault("HOME") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".docker");
    }
}
