using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CacheFrom.References;
using Serilog;

namespace CacheFrom.Tarballs;

/// <summary>
/// A cache tarball saved as an OCI image layout (what <c>docker save</c> writes on the containerd
/// image store), served read-only as a registry on a loopback port for the length of a run.
/// BuildKit on that store resolves cache-from only against registries, never against loaded
/// images; given <c>127.0.0.1:PORT/REPO:TAG</c> it reads the inline cache from here and fetches
/// only the layers it reuses. Only an engine on this machine reaches the port. The engine talks
/// plain HTTP to loopback registries after a TLS attempt, which must be answered with an HTTP
/// status line for it to fall back.
/// </summary>
internal sealed class TarballRegistry : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;

    private readonly string _root;
    private readonly Dictionary<string, (string Digest, string MediaType)> _tags;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _accepting;
    private long _requests;

    private TarballRegistry(string root, Dictionary<string, (string, string)> tags, TcpListener listener, ILogger logger)
    {
        _root = root;
        _tags = tags;
        _listener = listener;
        _logger = logger;
        Host = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}";
        _accepting = AcceptAsync();
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; }

    public int ImageCount => _tags.Count;

    /// <summary>Requests answered so far (BuildKit asked for the cache when this grows).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Unpacks <paramref name="tarball"/> (read from its start) and serves it; null when it is not an OCI layout (a legacy <c>docker save</c>).</summary>
    public static async Task<TarballRegistry?> OpenAsync(Stream tarball, ILogger logger, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetTempPath(), "cachefrom-tarball-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            // TarFile keeps every entry inside the destination.
            tarball.Position = 0;
            await TarFile.ExtractToDirectoryAsync(tarball, root, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
            var index = Path.Combine(root, "index.json");
            if (!File.Exists(index))
            {
                Directory.Delete(root, recursive: true);
                return null;
            }

            var tags = ReadTags(await File.ReadAllBytesAsync(index, cancellationToken).ConfigureAwait(false));
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new TarballRegistry(root, tags, listener, logger);
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    /// <summary>The reference BuildKit reads <paramref name="image"/> from here; null when the tarball does not hold it.</summary>
    public string? Serve(ImageReference image)
    {
        var key = Key(image.Path, image.Tag);
        return _tags.ContainsKey(key) ? $"{Host}/{Normalize(image.Path)}:{image.Tag}" : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
        TryDelete(_root);
        _logger.Debug("Tarball registry {Host} stopped after {Requests} requests", Host, Requests);
    }

    private static Dictionary<string, (string, string)> ReadTags(byte[] index)
    {
        var tags = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(index);
        foreach (var manifest in document.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (!manifest.TryGetProperty("annotations", out var annotations)
                || !annotations.TryGetProperty("io.containerd.image.name", out var name)
                || name.GetString() is not { } reference)
                continue;
            var colon = reference.LastIndexOf(':');
            if (colon <= reference.LastIndexOf('/'))
                continue;
            var repository = reference[..colon];
            var firstSlash = repository.IndexOf('/');
            var path = firstSlash > 0 && IsHost(repository[..firstSlash]) ? repository[(firstSlash + 1)..] : repository;
            tags[Key(path, reference[(colon + 1)..])] = (manifest.GetProperty("digest").GetString()!, manifest.GetProperty("mediaType").GetString()!);
        }

        return tags;
    }

    private static bool IsHost(string component) => component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component == "localhost";

    private static string Normalize(string path) => path.Contains('/', StringComparison.Ordinal) ? path : "library/" + path;

    private static string Key(string path, string tag) => Normalize(path) + ":" + tag;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            _ = Task.Run(() => ServeAsync(client), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (await ReadHeadAsync(stream, _stop.Token).ConfigureAwait(false) is { } head)
                {
                    Interlocked.Increment(ref _requests);
                    var requestLine = head.Split("\r\n", 2)[0].Split(' ');
                    if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
                    {
                        // A TLS hello, or garbage: the engine falls back to plain HTTP only on an HTTP answer.
                        await WriteAsync(stream, 400, "Bad Request", [], null, head: false).ConfigureAwait(false);
                        return;
                    }

                    await AnswerAsync(stream, requestLine[0], requestLine[1]).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The engine closed the connection, or we are stopping.
            }
        }
    }

    private async Task AnswerAsync(NetworkStream stream, string method, string target)
    {
        var head = method == "HEAD";
        if (method is not ("GET" or "HEAD"))
        {
            await WriteAsync(stream, 405, "Method Not Allowed", [], null, head).ConfigureAwait(false);
            return;
        }

        var path = target.Split('?', 2)[0];
        if (path is "/v2/" or "/v2")
        {
            await WriteAsync(stream, 200, "OK", [("Content-Type", "application/json"), ("Docker-Distribution-API-Version", "registry/2.0")], "{}"u8.ToArray(), head).ConfigureAwait(false);
            return;
        }

        var (name, kind, reference) = Parse(path);
        string? digest = null;
        string mediaType = "application/octet-stream";
        if (kind == "manifests" && name is not null && !reference.StartsWith("sha256:", StringComparison.Ordinal)
            && _tags.TryGetValue(Key(name, reference), out var tagged))
        {
            (digest, mediaType) = tagged;
        }
        else if (kind is "manifests" or "blobs" && reference.StartsWith("sha256:", StringComparison.Ordinal) && reference.Length == 71
            && reference[7..].All(char.IsAsciiHexDigitLower))
        {
            digest = reference;
        }

        var file = digest is null ? null : Path.Combine(_root, "blobs", "sha256", digest[7..]);
        if (file is null || !File.Exists(file))
        {
            await WriteAsync(stream, 404, "Not Found", [("Content-Type", "application/json")], """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"not in the cache tarball"}]}"""u8.ToArray(), head).ConfigureAwait(false);
            return;
        }

        if (kind == "manifests" && mediaType == "application/octet-stream")
            mediaType = ManifestMediaType(file);
        var length = new FileInfo(file).Length;
        await WriteHeadAsync(stream, 200, "OK", [("Content-Type", mediaType), ("Docker-Content-Digest", digest!)], length).ConfigureAwait(false);
        if (head)
            return;
        var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (content.ConfigureAwait(false))
            await content.CopyToAsync(stream, _stop.Token).ConfigureAwait(false);
    }

    /// <summary><c>/v2/NAME/manifests/REF</c> or <c>/v2/NAME/blobs/DIGEST</c> (NAME may hold slashes).</summary>
    private static (string? Name, string Kind, string Reference) Parse(string path)
    {
        foreach (var kind in new[] { "manifests", "blobs" })
        {
            var marker = "/" + kind + "/";
            var at = path.LastIndexOf(marker, StringComparison.Ordinal);
            if (path.StartsWith("/v2/", StringComparison.Ordinal) && at > 4)
                return (Uri.UnescapeDataString(path[4..at]), kind, Uri.UnescapeDataString(path[(at + marker.Length)..]));
        }

        return (null, "", "");
    }

    private static string ManifestMediaType(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        return document.RootElement.TryGetProperty("mediaType", out var type) && type.GetString() is { } value
            ? value
            : "application/vnd.oci.image.manifest.v1+json";
    }

    private async Task WriteAsync(NetworkStream stream, int status, string reason, IReadOnlyList<(string, string)> headers, byte[]? body, bool head)
    {
        await WriteHeadAsync(stream, status, reason, headers, body?.Length ?? 0).ConfigureAwait(false);
        if (body is not null && !head)
            await stream.WriteAsync(body, _stop.Token).ConfigureAwait(false);
    }

    private async Task WriteHeadAsync(NetworkStream stream, int status, string reason, IReadOnlyList<(string Name, string Value)> headers, long length)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        foreach (var (name, value) in headers)
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        text.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), _stop.Token).ConfigureAwait(false);
    }

    /// <summary>The request line and headers up to the blank line; null at the end of the connection.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(512);
        var one = new byte[1];
        while (bytes.Count < MaxHeadBytes)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
                return null;
            bytes.Add(one[0]);
            var count = bytes.Count;
            if (count >= 4 && bytes[count - 4] == '\r' && bytes[count - 3] == '\n' && bytes[count - 2] == '\r' && bytes[count - 1] == '\n')
                return Encoding.Latin1.GetString(bytes.ToArray());
            // A TLS hello has no line ends: answer it once enough bytes show it is not HTTP.
            if (count == 8 && bytes[0] == 0x16)
                return Encoding.Latin1.GetString(bytes.ToArray());
        }

        return Encoding.Latin1.GetString(bytes.ToArray());
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A temp directory; not worth failing a run over.
        }
    }
}
