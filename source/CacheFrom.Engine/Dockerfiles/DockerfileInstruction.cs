namespace CacheFrom.Dockerfiles;

/// <summary>
/// One instruction as BuildKit's parser sees it: continuation lines joined, comment lines inside
/// it dropped, heredoc bodies attached. Nothing is substituted: <see cref="Arguments"/> and
/// <see cref="Flags"/> hold <c>$X</c> as written (expand them with <see cref="DockerfileSubstitution"/>).
/// </summary>
public sealed class DockerfileInstruction
{
    internal DockerfileInstruction(int line, int endLine, string keyword, IReadOnlyList<string> flags, string arguments, string text, IReadOnlyList<DockerfileHeredoc> heredocs, IReadOnlyList<DockerfileArg> args)
    {
        Line = line;
        EndLine = endLine;
        Keyword = keyword;
        Flags = flags;
        Arguments = arguments;
        Text = text;
        Heredocs = heredocs;
        Args = args;
    }

    /// <summary>1-based line the instruction starts on.</summary>
    public int Line { get; }

    /// <summary>1-based last line: its last continuation line, or the line that ends its last heredoc.</summary>
    public int EndLine { get; }

    /// <summary>Upper-case: <c>FROM</c>, <c>RUN</c>, <c>COPY</c>…</summary>
    public string Keyword { get; }

    /// <summary>The leading <c>--name[=value]</c> options, quotes removed, e.g. <c>--from=builder</c>, <c>--mount=type=cache,target=/x</c>.</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>The text after the keyword and its flags, continuations joined.</summary>
    public string Arguments { get; }

    /// <summary>
    /// The instruction as written, the way BuildKit names its step (<c>RUN make  all</c> in
    /// <c>[builder 2/4] RUN make  all</c>): keyword upper-cased, the rest as written, continuations
    /// joined, heredoc bodies left out. Checked on 20.10 and 26.1: BuildKit keeps whitespace and
    /// quotes, but substitutes ARG and ENV values in its step names (<c>RUN echo $X</c> is named
    /// <c>RUN echo 1</c>; <see cref="DockerfileSubstitution.Expand"/> with quotes kept gives that name),
    /// names <c>FROM</c> steps by the resolved image, and gives ARG, ENV and the like no step.
    /// <see cref="Recording.InstructionKey"/> collapses whitespace for identity.
    /// </summary>
    public string Text { get; }

    /// <summary>The <c>&lt;&lt;EOF</c> documents of a <c>RUN</c>, <c>COPY</c> or <c>ADD</c>, in order.</summary>
    public IReadOnlyList<DockerfileHeredoc> Heredocs { get; }

    /// <summary>For <c>ARG</c>: each <c>NAME[=default]</c> it declares (<c>ARG A=1 B=2</c> declares two); empty otherwise.</summary>
    public IReadOnlyList<DockerfileArg> Args { get; }

    /// <summary>The value of <c>--name=value</c> (the last one when repeated), <c>""</c> for a bare <c>--name</c>, or null.</summary>
    public string? Flag(string name)
    {
        var prefix = "--" + name;
        string? value = null;
        foreach (var flag in Flags)
        {
            if (flag.Equals(prefix, StringComparison.OrdinalIgnoreCase))
                value = "";
            else if (flag.Length > prefix.Length && flag[prefix.Length] == '=' && flag.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                value = flag[(prefix.Length + 1)..];
        }

        return value;
    }

    /// <summary>Every value of a repeatable flag such as <c>--mount</c>, in order.</summary>
    public IReadOnlyList<string> FlagValues(string name)
    {
        var prefix = "--" + name + "=";
        return Flags.Where(f => f.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(f => f[prefix.Length..]).ToList();
    }

    public override string ToString() => Text;
}
