using System.Text.Json;
using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint;

/// <summary>The sources and destination of a <c>COPY</c> or <c>ADD</c>, in either form (<c>COPY a b dest</c>, <c>COPY ["a", "dest"]</c>).</summary>
internal sealed record CopyArguments(IReadOnlyList<string> Sources, string Destination, string? From)
{
    public static CopyArguments Of(DockerfileInstruction instruction)
    {
        var words = Words(instruction.Arguments);
        var sources = words.Count > 1 ? words.Take(words.Count - 1).Where(w => !w.StartsWith("<<", StringComparison.Ordinal)).ToList() : [];
        return new CopyArguments(sources, words.Count > 0 ? words[^1] : "", instruction.Flag("from"));
    }

    /// <summary>A source that names the whole context: <c>.</c>, <c>./</c>, <c>*</c>, <c>./*</c>, <c>/</c>.</summary>
    public bool CopiesWholeContext => From is null && Sources.Any(IsContextRoot);

    public string WholeContextSource => Sources.First(IsContextRoot);

    /// <summary>Where files copied "next to" this copy go: <c>./</c> for <c>.</c>, else the destination with a trailing '/'.</summary>
    public string DestinationFolder => Destination is "." or "./" or "" ? "./" : Destination.EndsWith('/') ? Destination : Destination + "/";

    private static bool IsContextRoot(string source)
    {
        var path = source.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal))
            path = path[2..];
        path = path.Trim('/');
        return path is "" or "." or "*";
    }

    private static List<string> Words(string arguments)
    {
        var trimmed = arguments.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            try
            {
                return JsonSerializer.Deserialize<List<string>>(trimmed) ?? [];
            }
            catch (JsonException)
            {
                // Docker reads invalid JSON as the shell-like form; so do we.
            }
        }

        return trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('"', '\'')).ToList();
    }
}
