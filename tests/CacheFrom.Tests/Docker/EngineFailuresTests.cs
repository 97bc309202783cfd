using System.Net.Sockets;
using CacheFrom.Configuration;
using CacheFrom.Docker.Connection;

namespace CacheFrom.Tests.Docker;

/// <summary>Which failures mean "the engine is not there", and how their cause is said: real socket errors, no engine needed.</summary>
public sealed class EngineFailuresTests
{
    private static readonly DockerEndpoint Endpoint = DockerEndpoint.Resolve("unix:///tmp/cachefrom-no-engine.sock", new Dictionary<string, string?>());

    [Test]
    public void Connecting_to_a_socket_file_that_does_not_exist_is_no_such_socket()
    {
        var exception = Connect(new UnixDomainSocketEndPoint($"/tmp/cachefrom-absent-{Guid.NewGuid():N}.sock"));

        Assert.Multiple(() =>
        {
            Assert.That(EngineFailures.IsTransportFailure(exception), Is.True);
            Assert.That(EngineFailures.Reason(exception), Is.EqualTo("no such socket"));
        });
    }

    [Test]
    public void Connecting_to_a_closed_port_is_connection_refused()
    {
        var exception = Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1));

        Assert.That(EngineFailures.Reason(exception), Is.EqualTo("connection refused"));
    }

    [TestCase(SocketError.ConnectionReset, "connection reset")]
    [TestCase(SocketError.TimedOut, "timed out")]
    [TestCase(SocketError.AccessDenied, "permission denied")]
    [TestCase(SocketError.HostNotFound, "host not found")]
    public void A_socket_error_inside_the_HTTP_clients_wrapping_is_named_by_its_cause(SocketError error, string reason)
    {
        var exception = new HttpRequestException("The request failed", new IOException("transport", new SocketException((int)error)));

        Assert.Multiple(() =>
        {
            Assert.That(EngineFailures.IsTransportFailure(exception), Is.True);
            Assert.That(EngineFailures.Reason(exception), Is.EqualTo(reason));
        });
    }

    [Test]
    public void A_response_cut_short_is_the_connection_closing_mid_response() =>
        Assert.That(EngineFailures.Reason(new HttpRequestException("Invalid chunk header", new IOException("unexpected end"))), Is.EqualTo("the connection closed mid-response"));

    [Test]
    public void A_cancellation_is_not_a_transport_failure() =>
        Assert.That(EngineFailures.IsTransportFailure(new TaskCanceledException("cancelled", new IOException("closed"))), Is.False);

    [Test]
    public void Our_own_failure_inside_the_HTTP_clients_wrapping_is_not_the_engine_going_away()
    {
        var local = new TarballStoreException("Reading the tarball to load failed on this machine (Input/output error); the file is left in place.");
        var exception = new HttpRequestException("Error while copying content to a stream.", new IOException("copy", local));

        Assert.Multiple(() =>
        {
            Assert.That(EngineFailures.IsTransportFailure(exception), Is.False);
            Assert.That(EngineFailures.OwnFailure(exception), Is.SameAs(local));
        });
    }

    [Test]
    public void No_engine_answering_names_the_endpoint_the_cause_and_how_to_point_elsewhere()
    {
        var exception = EngineFailures.NotAnswering(Endpoint, new SocketException((int)SocketError.ConnectionRefused));

        Assert.That(exception.Message, Is.EqualTo("No Docker engine answered at unix:///tmp/cachefrom-no-engine.sock (connection refused). " + DockerEndpoint.Advice));
    }

    [Test]
    public void An_engine_gone_mid_call_names_the_operation_it_was_doing()
    {
        var exception = EngineFailures.WentAway(Endpoint, "the save of app:main", new IOException("unexpected end"));

        Assert.That(exception.Message, Does.StartWith("The Docker engine at unix:///tmp/cachefrom-no-engine.sock stopped answering during the save of app:main (the connection closed mid-response)."));
    }

    private static SocketException Connect(System.Net.EndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        return Assert.Throws<SocketException>(() => socket.Connect(endpoint))!;
    }
}
