using Google.Protobuf;

namespace CacheFrom.Docker.Build;

/// <summary>
/// One decoded <c>moby.buildkit.v1.StatusResponse</c> (the base64 <c>aux</c> of a
/// <c>moby.buildkit.trace</c> line). Only the fields the build report needs; no package ships
/// the message types, so they are read field by field (numbers from BuildKit's control.proto).
/// </summary>
internal sealed record BuildKitStatus(IReadOnlyList<BuildKitVertex> Vertexes, IReadOnlyList<BuildKitVertexStatus> Statuses, IReadOnlyList<BuildKitLog> Logs)
{
    public static BuildKitStatus Parse(string base64) => Parse(Convert.FromBase64String(base64));

    public static BuildKitStatus Parse(byte[] bytes)
    {
        var vertexes = new List<BuildKitVertex>();
        var statuses = new List<BuildKitVertexStatus>();
        var logs = new List<BuildKitLog>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    vertexes.Add(ParseVertex(input.ReadBytes()));
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    statuses.Add(ParseVertexStatus(input.ReadBytes()));
                    break;
                case 3 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    logs.Add(ParseLog(input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new BuildKitStatus(vertexes, statuses, logs);
    }

    private static BuildKitVertex ParseVertex(ByteString bytes)
    {
        string digest = "", name = "", error = "";
        var cached = false;
        DateTimeOffset? started = null, completed = null;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: digest = input.ReadString(); break;
                case 3: name = input.ReadString(); break;
                case 4: cached = input.ReadBool(); break;
                case 5: started = ParseTimestamp(input.ReadBytes()); break;
                case 6: completed = ParseTimestamp(input.ReadBytes()); break;
                case 7: error = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new BuildKitVertex(digest, name, cached, started, completed, error.Length == 0 ? null : error);
    }

    private static BuildKitVertexStatus ParseVertexStatus(ByteString bytes)
    {
        string id = "", vertex = "";
        long current = 0, total = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: id = input.ReadString(); break;
                case 2: vertex = input.ReadString(); break;
                case 4: current = input.ReadInt64(); break;
                case 5: total = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new BuildKitVertexStatus(id, vertex, current, total);
    }

    private static BuildKitLog ParseLog(ByteString bytes)
    {
        string vertex = "";
        var message = ByteString.Empty;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: vertex = input.ReadString(); break;
                case 4: message = input.ReadBytes(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new BuildKitLog(vertex, message.ToStringUtf8());
    }

    private static DateTimeOffset ParseTimestamp(ByteString bytes)
    {
        long seconds = 0;
        int nanos = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: seconds = input.ReadInt64(); break;
                case 2: nanos = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
    }
}
