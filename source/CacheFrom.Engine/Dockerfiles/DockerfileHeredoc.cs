namespace CacheFrom.Dockerfiles;

/// <summary>A here-document (<c>RUN &lt;&lt;EOF … EOF</c>) attached to an instruction.</summary>
public sealed class DockerfileHeredoc
{
    internal DockerfileHeredoc(string name, string body, bool removesLeadingTabs, bool expands)
    {
        Name = name;
        Body = body;
        RemovesLeadingTabs = removesLeadingTabs;
        Expands = expands;
    }

    /// <summary>The terminator word, quotes removed: <c>EOF</c> for <c>&lt;&lt;"EOF"</c>.</summary>
    public string Name { get; }

    /// <summary>The lines between the instruction and the terminator, each with its line break, as written (tabs kept even for <c>&lt;&lt;-</c>).</summary>
    public string Body { get; }

    /// <summary>True for <c>&lt;&lt;-EOF</c>: leading tabs are stripped from the body and the terminator.</summary>
    public bool RemovesLeadingTabs { get; }

    /// <summary>False when the name is quoted (<c>&lt;&lt;'EOF'</c>): the body is then taken literally, with no <c>$X</c> expansion.</summary>
    public bool Expands { get; }
}
