using CacheFrom.Dockerfiles;

namespace CacheFrom.Fingerprints;

/// <summary>
/// The variables an instruction of a stage sees: the ARGs the stage declared so far (with the build
/// arg, the default or the global value) and the ENVs set in it or in the stage it is built from.
/// ENV wins over an ARG of the same name, as in BuildKit. A base image's own environment is not
/// known here (<see cref="EnvironmentComplete"/> is false then).
/// </summary>
internal sealed class StageScope
{
    private readonly Dictionary<string, string?> _args = new(StringComparer.Ordinal);
    private readonly List<string> _argOrder = [];
    private readonly Dictionary<string, string> _env;

    private StageScope(Dictionary<string, string> env, bool environmentComplete)
    {
        _env = env;
        EnvironmentComplete = environmentComplete;
    }

    /// <summary>False when the stage's base image may set variables of its own (any image but <c>scratch</c>).</summary>
    public bool EnvironmentComplete { get; }

    /// <summary>The ARGs declared in the stage, in order, with their values (null: declared, no value).</summary>
    public IEnumerable<(string Name, string? Value)> Args => _argOrder.Select(name => (name, _args[name]));

    public static StageScope FromImage(bool scratch) => new(new Dictionary<string, string>(StringComparer.Ordinal), scratch);

    /// <summary>A stage built <c>FROM</c> another stage inherits its environment, not its ARGs.</summary>
    public static StageScope FromStage(StageScope parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return new StageScope(new Dictionary<string, string>(parent._env, StringComparer.Ordinal), parent.EnvironmentComplete);
    }

    public bool IsArg(string name) => _args.ContainsKey(name);

    public bool Knows(string name) => _env.ContainsKey(name) || (_args.TryGetValue(name, out var value) && value is not null);

    public string? ArgValue(string name) => _args.GetValueOrDefault(name);

    public void DeclareArg(string name, string? value)
    {
        if (!_args.ContainsKey(name))
            _argOrder.Add(name);
        _args[name] = value;
    }

    public void SetEnv(string name, string value) => _env[name] = value;

    /// <summary>The lookup table for <see cref="DockerfileSubstitution.Expand"/>: set ARGs, then ENVs over them.</summary>
    public IReadOnlyDictionary<string, string> Variables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _args)
        {
            if (value is not null)
                variables[name] = value;
        }

        foreach (var (name, value) in _env)
            variables[name] = value;
        return variables;
    }
}
