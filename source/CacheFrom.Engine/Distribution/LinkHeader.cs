namespace CacheFrom.Distribution;

/// <summary>The <c>rel="next"</c> target of RFC 5988 <c>Link</c> headers, as registries paginate tag lists.</summary>
internal static class LinkHeader
{
    /// <summary>The next page's URL (often relative, e.g. <c>/v2/app/tags/list?n=100&amp;last=v9</c>), or null.</summary>
    public static string? Next(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            // One header may carry several links: <a>; rel="next", <b>; rel="prev". A URL holds no '>'.
            var rest = value.AsSpan();
            while (true)
            {
                var open = rest.IndexOf('<');
                if (open < 0)
                    break;
                var close = rest[open..].IndexOf('>');
                if (close < 0)
                    break;
                var target = rest.Slice(open + 1, close - 1).ToString();
                rest = rest[(open + close + 1)..];
                var end = rest.IndexOf('<');
                var parameters = AuthChallenge.ParseParameters((end < 0 ? rest : rest[..end]).ToString().Replace(';', ','));
                if (parameters.TryGetValue("rel", out var rel) && rel.Split(' ').Contains("next", StringComparer.OrdinalIgnoreCase))
                    return target;
            }
        }

        return null;
    }
}
