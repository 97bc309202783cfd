using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CacheFrom.Docker.Connection;

/// <summary>
/// The TLS handshake with a tcp engine, with what the docker CLI checks (the engine's certificate
/// chains to ca.pem and names the endpoint's host, unless only DOCKER_TLS is set) and the client
/// certificate offered when the engine asks. Whatever goes wrong ends in one
/// <see cref="DockerEngineUnavailableException"/> that names the endpoint, the cause and what to set:
/// an untrusted, expired or misnamed engine certificate, a missing or refused client certificate,
/// an engine that does not speak TLS. With TLS 1.3 an engine refuses a client certificate only
/// after the handshake, so the connection's first answer is watched for that too.
/// </summary>
internal sealed class EngineTlsHandshake
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerEndpoint _endpoint;
    private readonly EngineTls _tls;
    private volatile bool _certificateRequested;
    private volatile string? _rejection;

    private EngineTlsHandshake(DockerEndpoint endpoint, EngineTls tls)
    {
        _endpoint = endpoint;
        _tls = tls;
    }

    public static async Task<Stream> AuthenticateAsync(Stream network, DockerEndpoint endpoint, EngineTls tls, CancellationToken cancellationToken = default)
    {
        var handshake = new EngineTlsHandshake(endpoint, tls);
        var raw = new FirstAnswerStream(network);
        var ssl = new SslStream(raw, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            LocalCertificateSelectionCallback = handshake.SelectClientCertificate,
            RemoteCertificateValidationCallback = handshake.ValidateEngineCertificate,
        };

        // An endpoint that accepts the connection but never answers the handshake must not hang a session.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, limit.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw handshake.Failure(exception, raw.FirstBytes);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new DockerEngineUnavailableException(
                $"The Docker engine at {endpoint} did not answer the TLS handshake within {HandshakeTimeout.TotalSeconds:0} s. "
                + "Check that the engine listens with TLS on this port.",
                exception);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new FirstAnswerStream(ssl, handshake.CheckFirstAnswer);
    }

    private X509Certificate2 SelectClientCertificate(object sender, string targetHost, X509CertificateCollection local, X509Certificate? remote, string[] acceptableIssuers)
    {
        // Also called before the handshake (no engine certificate yet); with one, the engine asked for ours.
        if (remote is not null || acceptableIssuers.Length > 0)
            _certificateRequested = true;
        return _tls.ClientCertificate!;
    }

    private bool ValidateEngineCertificate(object sender, X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors)
    {
        if (!_tls.Verify)
            return true; // DOCKER_TLS without DOCKER_TLS_VERIFY: encrypted, not verified, as with the CLI
        if (certificate is null)
        {
            _rejection = "it sent no certificate";
            return false;
        }

        using var presented = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_tls.Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (systemChain is not null)
        {
            // Intermediates the engine sent along.
            foreach (var element in systemChain.ChainElements.Skip(1))
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        var trusted = chain.Build(presented);
        var reasons = new List<string>();
        var statuses = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            reasons.Add(presented.NotAfter < DateTime.Now
                ? $"its certificate expired on {presented.NotAfter:yyyy-MM-dd HH:mm}"
                : $"its certificate is not valid before {presented.NotBefore:yyyy-MM-dd HH:mm}");
        }

        if ((statuses & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            reasons.Add($"its certificate (issued by {presented.Issuer}) is not signed by the CA in {Path.Combine(_tls.Directory, "ca.pem")}");
        else if (!trusted && reasons.Count == 0)
            reasons.Add($"its certificate chain is invalid ({string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))})");

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            reasons.Add($"its certificate is for {EngineTls.Names(presented)}, not {_endpoint.Host}");

        if (reasons.Count == 0)
            return true;
        _rejection = string.Join("; ", reasons);
        return false;
    }

    // TLS 1.3 engines refuse a client certificate after the handshake: the first write is reset, or the
    // first read carries the alert. A plain end of stream is left alone: an engine that dies mid-build looks the same.
    private DockerEngineUnavailableException? CheckFirstAnswer(FirstAnswer answer)
    {
        if (answer.Bytes.Length > 0 || answer.Error is null)
            return null;
        var alert = Chain(answer.Error).Any(e => e.Message.Contains(" alert ", StringComparison.OrdinalIgnoreCase));
        if (!answer.WhileWriting && !alert)
            return null;
        return _certificateRequested || _tls.ClientCertificate is not null
            ? ClientCertificateRefused(answer.Error)
            : new DockerEngineUnavailableException(
                $"The Docker engine at {_endpoint} closed the connection right after the TLS handshake, without answering. "
                + $"If it demands a client certificate, put cert.pem and key.pem in {_tls.Directory} (DOCKER_CERT_PATH).",
                answer.Error);
    }

    private DockerEngineUnavailableException ClientCertificateRefused(Exception? inner) =>
        _tls.ClientCertificate is null
            ? new DockerEngineUnavailableException(
                $"The Docker engine at {_endpoint} demands a client certificate, and {_tls.Directory} has none (cert.pem and key.pem). "
                + "Put the client certificate and key there (GitLab's docker:dind writes them to $DOCKER_TLS_CERTDIR/client), "
                + "or point DOCKER_CERT_PATH at the folder that holds them.",
                inner)
            : new DockerEngineUnavailableException(
                $"The Docker engine at {_endpoint} refused the client certificate {_tls.ClientCertificate.Subject} from {_tls.Directory}: "
                + "use a client certificate signed by the CA the engine trusts (its --tlscacert), and check that it has not expired.",
                inner);

    private DockerEngineUnavailableException Failure(Exception exception, ReadOnlyMemory<byte> answer)
    {
        if (_rejection is { } rejection)
        {
            return new DockerEngineUnavailableException(
                $"The Docker engine at {_endpoint} is not trusted: {rejection}. Check that {_tls.Directory} holds this engine's ca.pem "
                + "(DOCKER_CERT_PATH) and that DOCKER_HOST names a host its certificate covers.",
                exception);
        }

        if (LooksLikePlainHttp(answer.Span))
        {
            return new DockerEngineUnavailableException(
                $"The Docker engine at {_endpoint} does not speak TLS (it answered the TLS handshake in plain HTTP). "
                + $"Unset {_tls.Setting} for this engine, or use its TLS port (usually {DockerEndpoint.DefaultTlsPort}).",
                exception);
        }

        if (_certificateRequested)
            return ClientCertificateRefused(exception);

        var port = _endpoint.Port == DockerEndpoint.DefaultPort ? $" (port {DockerEndpoint.DefaultPort} is the plain port; TLS engines usually listen on {DockerEndpoint.DefaultTlsPort})" : "";
        return new DockerEngineUnavailableException(
            $"The TLS handshake with the Docker engine at {_endpoint} failed ({Innermost(exception)}){port}. "
            + $"Check that the engine listens with TLS there, and {_tls.Setting} and DOCKER_CERT_PATH ({_tls.Directory}).",
            exception);
    }

    internal static bool LooksLikePlainHttp(ReadOnlySpan<byte> answer) =>
        answer.Length >= 5 && Encoding.ASCII.GetString(answer[..5]) == "HTTP/";

    private static string Innermost(Exception exception) => Chain(exception).Last().Message.TrimEnd('.');

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            yield return e;
    }
}
