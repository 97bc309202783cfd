using System.Text.RegularExpressions;

namespace CacheFrom.Docker.Build;

/// <summary>
/// A Dockerfile step as BuildKit names its vertex: <c>[builder 2/4] RUN …</c>,
/// <c>[stage-1 3/3] COPY …</c>, <c>[ 2/10] RUN …</c> (a lone stage has no name; the step number
/// is padded; <see cref="Stage"/> is then empty), optionally after a platform (<c>[linux/amd64 builder 1/3]</c>). Anything else —
/// <c>[internal] load …</c>, <c>exporting to image</c> — is BuildKit's own work, not a step.
/// </summary>
internal sealed partial record BuildKitStepName(string Stage, int Number, int Total, string Text)
{
    public static BuildKitStepName? TryParse(string vertexName)
    {
        var match = Pattern().Match(vertexName);
        if (!match.Success)
            return null;

        // Stage names cannot hold '/', platforms always do: the last token without one is the stage.
        var stage = match.Groups["prefix"].Value
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .LastOrDefault(token => !token.Contains('/', StringComparison.Ordinal))
            ?? "";
        return new BuildKitStepName(
            stage,
            int.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["text"].Value.Trim());
    }

    [GeneratedRegex(@"^\[(?<prefix>[^\]]*?)\s*(?<number>\d+)/(?<total>\d+)\]\s+(?<text>.+)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Pattern();
}
