namespace CacheFrom.Hosting;

/// <summary>
/// One parameter of the host contract: its name on every host (<c>docker-image</c>), where else it
/// is read from, how it is split and parsed, what it defaults to and whether it is a secret. Hosts
/// generate their command-line surface from these, or are tested against them.
/// </summary>
public sealed class ParameterDefinition
{
    private readonly Action<ParameterBinding, IReadOnlyList<string>> _bind;

    internal ParameterDefinition(
        string name,
        ParameterKind kind,
        string description,
        string defaultText,
        Action<ParameterBinding, IReadOnlyList<string>> bind,
        string? environmentVariable = null,
        bool readsEnvironment = true,
        string? bareValue = null,
        bool isSecret = false,
        bool splitsValues = false)
    {
        Name = name;
        Kind = kind;
        Description = description;
        DefaultText = defaultText;
        _bind = bind;
        EnvironmentVariable = readsEnvironment ? environmentVariable ?? EnvironmentName(name) : null;
        BareValue = kind == ParameterKind.Switch ? bareValue ?? "true" : bareValue;
        IsSecret = isSecret;
        SplitsValues = splitsValues;
    }

    /// <summary>The name every host uses: <c>--docker-cache-dir</c>, <c>--docker-cache-dir=…</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The member a NUKE component declares under <c>[ParameterPrefix("Docker")]</c>:
    /// <c>docker-cache-dir</c> → <c>CacheDir</c>.
    /// </summary>
    public string MemberName =>
        string.Concat(Name["docker-".Length..].Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    public ParameterKind Kind { get; }

    /// <summary>One line for <c>--help</c> and the docs.</summary>
    public string Description { get; }

    /// <summary>What applies when the parameter is not given, in words.</summary>
    public string DefaultText { get; }

    /// <summary>
    /// The environment variable read when the host was given no value (<c>DOCKER_IMAGE</c>); null
    /// when the parameter is read from the command line only (<c>DOCKER_CONTEXT</c> is the docker
    /// CLI's context name, not a build context).
    /// </summary>
    public string? EnvironmentVariable { get; }

    /// <summary>The value of a bare flag (<c>--docker-ssh</c> → <c>default</c>); null when a value is required.</summary>
    public string? BareValue { get; }

    /// <summary>Never printed: not in logs, reports, help defaults or exception messages.</summary>
    public bool IsSecret { get; }

    /// <summary>For lists: one given value is split on whitespace and commas too (tag lists), not only environment values.</summary>
    public bool SplitsValues { get; }

    public override string ToString() => Name;

    /// <summary><c>docker-cache-dir</c> → <c>DOCKER_CACHE_DIR</c>.</summary>
    internal static string EnvironmentName(string name) => name.ToUpperInvariant().Replace('-', '_');

    internal void Bind(ParameterBinding binding, IReadOnlyList<string> values) => _bind(binding, values);
}
