using System.Formats.Tar;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CacheFrom.Configuration;
using Google.Protobuf;

namespace CacheFrom.Tests.Session;

/// <summary>
/// The few engine API calls the session tests need (BuildKit build with a session, push),
/// spoken directly over the unix socket so these tests do not depend on DockerEngine.
/// </summary>
internal sealed class RawEngineApi : IDisposable
{
    public const string ApiVersion = "1.41";

    private readonly HttpClient _client;

    public RawEngineApi(string? socketPath = null)
    {
        socketPath ??= Support.TestEnvironment.DockerSocketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _client = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = TimeSpan.FromMinutes(10) };
    }

    public async Task<RawBuildResult> BuildAsync(
        string contextDirectory,
        string tag,
        string? target = null,
        IReadOnlyList<string>? cacheFrom = null,
        string? sessionId = null,
        IReadOnlyDictionary<string, string>? buildArgs = null,
        bool contextInSession = false,
        CancellationToken cancellationToken = default)
    {
        var args = new Dictionary<string, string>(buildArgs ?? new Dictionary<string, string>()) { ["BUILDKIT_INLINE_CACHE"] = "1" };
        var query = new StringBuilder($"v{ApiVersion}/build?version=2&dockerfile=Dockerfile&t={Uri.EscapeDataString(tag)}");
        query.Append("&buildargs=").Append(Uri.EscapeDataString(JsonSerializer.Serialize(args)));
        if (target is not null)
            query.Append("&target=").Append(Uri.EscapeDataString(target));
        if (cacheFrom is { Count: > 0 })
            query.Append("&cachefrom=").Append(Uri.EscapeDataString(JsonSerializer.Serialize(cacheFrom)));
        if (sessionId is not null)
            query.Append("&session=").Append(Uri.EscapeDataString(sessionId));
        // The session streams the context (FileSync), as the docker CLI does: no body.
        if (contextInSession)
            query.Append("&remote=client-session");

        using var body = new ByteArrayContent(contextInSession ? [] : Tar(contextDirectory));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var request = new HttpRequestMessage(HttpMethod.Post, query.ToString()) { Content = body };
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var result = new RawBuildResult { StatusCode = (int)response.StatusCode };
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Trim().Length == 0)
                continue;
            result.RawLines.Add(line);
            Read(line, result);
        }

        return result;
    }

    public async Task<IReadOnlyList<string>> PushAsync(string repository, string tag, RegistryCredentials credentials, CancellationToken cancellationToken = default)
    {
        var auth = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["username"] = credentials.Username,
            ["password"] = credentials.Password,
            ["serveraddress"] = repository.Split('/')[0],
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v{ApiVersion}/images/{repository}/push?tag={Uri.EscapeDataString(tag)}");
        request.Headers.Add("X-Registry-Auth", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth)).Replace('+', '-').Replace('/', '_'));
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var errors = new List<string>();
        if (!response.IsSuccessStatusCode)
            errors.Add(text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("error", out var error))
                errors.Add(error.GetString() ?? "");
        }

        return errors;
    }

    public void Dispose() => _client.Dispose();

    private static string SocketOf(string? dockerHost) =>
        dockerHost is { } host && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";

    // GNU entries: BuildKit's Dockerfile frontend misreads PAX headers.
    private static byte[] Tar(string directory)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                writer.WriteEntry(file, Path.GetRelativePath(directory, file).Replace('\\', '/'));
        }

        return buffer.ToArray();
    }

    private static void Read(string line, RawBuildResult result)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
            result.Errors.Add(error.GetString() ?? "");
        if (!root.TryGetProperty("id", out var id) || !root.TryGetProperty("aux", out var aux))
            return;
        if (id.GetString() == "moby.image.id" && aux.TryGetProperty("ID", out var imageId))
            result.ImageId = imageId.GetString();
        else if (id.GetString() == "moby.buildkit.trace" && aux.ValueKind == JsonValueKind.String)
            ReadStatus(Convert.FromBase64String(aux.GetString()!), result);
    }

    // moby.buildkit.v1.StatusResponse: 1 vertexes, 3 logs. Vertex: 1 digest, 3 name, 4 cached, 7 error. VertexLog: 4 msg.
    private static void ReadStatus(byte[] bytes, RawBuildResult result)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    ReadVertex(input.ReadBytes(), result);
                    break;
                case 3:
                    ReadLog(input.ReadBytes(), result);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    private static void ReadVertex(ByteString bytes, RawBuildResult result)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        string digest = "", name = "", error = "";
        bool cached = false, completed = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: digest = input.ReadString(); break;
                case 3: name = input.ReadString(); break;
                case 4: cached = input.ReadBool(); break;
                case 6: input.SkipLastField(); completed = true; break;
                case 7: error = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        var vertex = result.Vertices.GetValueOrDefault(digest) ?? new RawVertex(digest);
        vertex.Name = name.Length > 0 ? name : vertex.Name;
        vertex.Cached |= cached;
        vertex.Completed |= completed;
        vertex.Error = error.Length > 0 ? error : vertex.Error;
        result.Vertices[digest] = vertex;
    }

    private static void ReadLog(ByteString bytes, RawBuildResult result)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 4)
                result.Logs.Append(input.ReadBytes().ToStringUtf8());
            else
                input.SkipLastField();
        }
    }
}

internal sealed class RawBuildResult
{
    public int StatusCode { get; init; }

    public string? ImageId { get; set; }

    public List<string> Errors { get; } = [];

    public List<string> RawLines { get; } = [];

    public Dictionary<string, RawVertex> Vertices { get; } = [];

    public StringBuilder Logs { get; } = new();

    /// <summary>Everything the engine sent, decoded: what a user could see in build output.</summary>
    public string AllText => string.Join('\n', RawLines) + '\n' + Logs + '\n' + string.Join('\n', Vertices.Values.Select(v => v.Name + " " + v.Error));

    public IEnumerable<RawVertex> RunSteps(string stage) =>
        Vertices.Values.Where(v => v.Name.StartsWith($"[{stage} ", StringComparison.Ordinal) && v.Name.Contains(" RUN ", StringComparison.Ordinal));

    public override string ToString() =>
        $"status {StatusCode}, image {ImageId}, errors [{string.Join("; ", Errors)}]{Environment.NewLine}"
        + string.Join(Environment.NewLine, Vertices.Values.Select(v => $"  {(v.Cached ? "CACHED " : "")}{v.Name}{(v.Error is null ? "" : " ERROR " + v.Error)}"));
}

internal sealed class RawVertex(string digest)
{
    public string Digest { get; } = digest;

    public string Name { get; set; } = "";

    public bool Cached { get; set; }

    public bool Completed { get; set; }

    public string? Error { get; set; }
}
