using System.Globalization;
using CacheFrom.Configuration;
using CacheFrom.Dockerfiles;
using CacheFrom.Pipeline;
using CacheFrom.Recording;

namespace CacheFrom.Fingerprints;

/// <summary>
/// Computes, for every stage the final image needs, what each instruction's result depends on and
/// chains it like BuildKit's cache keys: an instruction's fingerprint covers its own inputs and the
/// previous instruction's fingerprint, so a stage's fingerprint (its last instruction's) changes
/// whenever anything it is built from does. Conservative where in doubt: a false "changed" costs a
/// build, a false "unchanged" would ship a wrong image. An instruction whose inputs can't be known
/// (<c>ADD &lt;url&gt;</c>, an unknown frontend, an unresolved image) has no fingerprint, and neither
/// has anything built after or from it.
/// </summary>
internal sealed class Fingerprinter
{
    /// <summary>Build args BuildKit passes to every RUN without an ARG declaring them.</summary>
    private static readonly string[] ProxyArgs =
        ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private const string EarlierUnknown = "an earlier step's inputs can't be known";

    private readonly Dockerfile _dockerfile;
    private readonly FingerprintOptions _options;
    private readonly ContextIndex _index;
    private readonly IReadOnlyDictionary<string, ImageIdentity> _images;
    private readonly Dictionary<int, (StageFingerprint Result, StageScope Scope)> _done = [];
    private readonly HashSet<int> _running = [];
    private readonly SortedSet<string> _missing = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), IReadOnlyList<ContextEntry>> _taken = [];
    private readonly DateTimeOffset _now;

    private Fingerprinter(Dockerfile dockerfile, FingerprintOptions options, ContextIndex index, IReadOnlyDictionary<string, ImageIdentity> images, DateTimeOffset now)
    {
        _dockerfile = dockerfile;
        _options = options;
        _index = index;
        _images = images;
        _now = now;
    }

    /// <summary>
    /// The fingerprints of the final stage and every stage it needs. <paramref name="images"/> gives
    /// each image the Dockerfile names its identity; a name it lacks is listed in
    /// <see cref="RunFingerprints.MissingImages"/> (call once with none to learn which to resolve).
    /// </summary>
    public static RunFingerprints Compute(Dockerfile dockerfile, FingerprintOptions options, ContextIndex index, IReadOnlyDictionary<string, ImageIdentity> images, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(images);
        var fingerprinter = new Fingerprinter(dockerfile, options, index, images, now);
        fingerprinter.Stage(dockerfile.FinalStage.Index);
        var stages = fingerprinter._done.OrderBy(d => d.Key).Select(d => d.Value.Result).ToList();
        return new RunFingerprints(stages, [.. fingerprinter._missing], fingerprinter._taken);
    }

    private (StageFingerprint Result, StageScope Scope) Stage(int index)
    {
        if (_done.TryGetValue(index, out var done))
            return done;
        if (!_running.Add(index))
            throw new InvalidOperationException("circular stage dependency (the parser rejects these)");

        var stage = _dockerfile.Stages[index];
        var name = StageImage.ReportName(_dockerfile, stage.Label);
        var root = Root();
        var instructions = new List<InstructionFingerprint>();
        var (from, scope) = From(stage, name, root.Digest, root.Unknown);
        instructions.Add(from);
        var previous = from;
        foreach (var (instruction, position) in stage.Instructions.Select((i, p) => (i, p)).Skip(1))
        {
            var current = Instruction(stage, name, instruction, position, scope, previous);
            instructions.Add(current);
            previous = current;
        }

        var result = new StageFingerprint
        {
            Stage = name,
            Fingerprint = previous.Fingerprint,
            Unknown = previous.Unknown,
            Builder = _options.Builder.ToString(),
            Platform = _options.Platform,
            Directives = _dockerfile.Directives.Count == 0 ? null : FingerprintWriter.Short(FingerprintWriter.Of(string.Join('\n', _dockerfile.Directives.Select(d => d.ToString())))),
            RecordedAt = _now,
            Instructions = instructions,
        };
        _running.Remove(index);
        _done[index] = (result, scope);
        return (result, scope);
    }

    /// <summary>What every stage starts from: the scheme, the builder, the platform and the parser directives.</summary>
    private (string Digest, string? Unknown) Root()
    {
        using var writer = new FingerprintWriter();
        writer.Add("scheme", FingerprintOptions.Scheme)
            .Add("builder", _options.Builder.ToString())
            .Add("platform", _options.Platform)
            .Add("escape", _dockerfile.EscapeCharacter.ToString());
        foreach (var directive in _dockerfile.Directives)
            writer.Add("directive:" + directive.Name, directive.Value);
        var syntax = _dockerfile.Directive("syntax");
        // The classic builder ignores the directive; BuildKit hands the whole build to that frontend.
        var unknown = syntax is not null && _options.Builder == BuilderKind.BuildKit && !IsDockerfileFrontend(syntax)
            ? $"the Dockerfile asks for the frontend '# syntax={syntax}', which is not docker/dockerfile: what it builds can't be known in advance"
            : null;
        return (writer.Finish(), unknown);
    }

    /// <summary><c>docker/dockerfile</c> in any version or digest, with or without <c>docker.io/</c>.</summary>
    public static bool IsDockerfileFrontend(string syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        var name = syntax.Trim();
        foreach (var prefix in (string[])["docker.io/", "index.docker.io/", "registry-1.docker.io/"])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                name = name[prefix.Length..];
        }

        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
            name = name[..at];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
            name = name[..colon];
        return name is "docker/dockerfile";
    }

    private (InstructionFingerprint From, StageScope Scope) From(DockerfileStage stage, string name, string root, string? rootUnknown)
    {
        var from = stage.From;
        var word = from.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var read = DockerfileSubstitution.Expand(word, _dockerfile.GlobalScope, _dockerfile.EscapeCharacter).Variables;
        var args = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var variable in read)
            args[variable] = _dockerfile.GlobalScope.TryGetValue(variable, out var value) ? FingerprintWriter.Of(value) : null;

        string? unknown = rootUnknown;
        string baseDigest;
        StageScope scope;
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var parent = _dockerfile.Stages.Take(stage.Index).LastOrDefault(s => s.Name is not null && s.Name.Equals(stage.BaseImage, StringComparison.OrdinalIgnoreCase));
        if (parent is not null)
        {
            var (result, parentScope) = Stage(parent.Index);
            scope = StageScope.FromStage(parentScope);
            baseDigest = "stage:" + result.Stage;
            sources[baseDigest] = result.Fingerprint ?? "unknown";
            unknown ??= result.Fingerprint is null ? $"it is built from stage {result.Stage}, whose inputs can't be known ({result.Unknown})" : null;
        }
        else if (stage.BaseImage.Equals("scratch", StringComparison.OrdinalIgnoreCase))
        {
            scope = StageScope.FromImage(scratch: true);
            baseDigest = "scratch";
        }
        else
        {
            scope = StageScope.FromImage(scratch: false);
            var identity = Image(stage.BaseImage);
            baseDigest = identity.Digest ?? "unknown";
            unknown ??= identity.Digest is null ? $"the base image {stage.BaseImage} could not be resolved ({identity.Problem})" : null;
        }

        var text = TextDigest(from);
        using var own = new FingerprintWriter();
        own.Add("keyword", "FROM").Add("text", text).Add("base", baseDigest);
        AddArgs(own, args);
        foreach (var (key, value) in sources)
            own.Add("source:" + key, value);
        var ownDigest = own.Finish();
        return (new InstructionFingerprint
        {
            Index = 0,
            Line = from.Line,
            Keyword = "FROM",
            Text = InstructionKey.Normalise(from.Text),
            StepName = InstructionKey.Normalise("FROM " + stage.BaseImage),
            Fingerprint = unknown is null ? Chain(root, ownDigest) : null,
            Unknown = unknown,
            Inputs = new InstructionInputs
            {
                Own = FingerprintWriter.Short(ownDigest),
                Text = FingerprintWriter.Short(text),
                Args = args.Count == 0 ? null : Shorten(args),
                Base = baseDigest,
                Sources = sources.Count == 0 ? null : ShortenSources(sources),
            },
        }, scope);
    }

    private InstructionFingerprint Instruction(DockerfileStage stage, string name, DockerfileInstruction instruction, int position, StageScope scope, InstructionFingerprint previous)
    {
        var escape = _dockerfile.EscapeCharacter;
        var before = scope.Variables();
        var args = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var taken = new SortedDictionary<string, ContextEntry>(StringComparer.Ordinal);
        string? unknown = null;

        // The variables its text (and expanding heredoc bodies) reads: those that are ARGs are build args it sees.
        var read = new List<string>(DockerfileSubstitution.Expand(instruction.Text, before, escape, removeQuotes: false).Variables);
        foreach (var heredoc in instruction.Heredocs.Where(h => h.Expands))
            read.AddRange(DockerfileSubstitution.Expand(heredoc.Body, before, escape, removeQuotes: false).Variables);

        switch (instruction.Keyword)
        {
            case "ARG":
                // Declaring is not using: as in BuildKit, a value matters where a step reads it (and to every RUN after it).
                foreach (var arg in instruction.Args)
                    scope.DeclareArg(arg.Name, ArgValue(arg, scope));
                read.Clear();
                break;
            case "ENV":
                foreach (var (key, value) in EnvPairs(instruction, before, read))
                    scope.SetEnv(key, value);
                break;
            case "RUN":
                // BuildKit passes every ARG in scope to RUN as environment: all of them are inputs.
                read.AddRange(scope.Args.Select(a => a.Name));
                foreach (var proxy in ProxyArgs.Where(_options.BuildArgs.ContainsKey))
                    args[proxy] = FingerprintWriter.Of(_options.BuildArgs[proxy]);
                foreach (var mount in instruction.FlagValues("mount").Select(MountOption.Parse).Where(m => m.ShapesResult))
                    unknown ??= Mount(mount, before, sources, taken);
                break;
            case "COPY" or "ADD":
                unknown ??= Copy(instruction, scope, before, sources, taken);
                break;
        }

        foreach (var variable in read.Distinct(StringComparer.Ordinal).Where(scope.IsArg))
            args[variable] = scope.ArgValue(variable) is { } value ? FingerprintWriter.Of(value) : null;

        var entries = taken.Values.ToList();
        _taken[(name, position)] = entries;
        var text = TextDigest(instruction);
        var files = entries.Count == 0 ? null : FileSummary.HashOf(entries);
        using var own = new FingerprintWriter();
        own.Add("keyword", instruction.Keyword).Add("text", text).Add("files", files);
        AddArgs(own, args);
        foreach (var (key, value) in sources)
            own.Add("source:" + key, value);
        var ownDigest = own.Finish();

        // The first unknowable step is the reason for every step after it.
        if (previous.Fingerprint is null)
        {
            unknown = previous.Unknown!.StartsWith(EarlierUnknown, StringComparison.Ordinal)
                ? previous.Unknown
                : $"{EarlierUnknown} (line {previous.Line}: {previous.Unknown})";
        }

        return new InstructionFingerprint
        {
            Index = position,
            Line = instruction.Line,
            Keyword = instruction.Keyword,
            Text = InstructionKey.Normalise(instruction.Text),
            StepName = InstructionKey.Normalise(DockerfileSubstitution.Expand(instruction.Text, before, escape, removeQuotes: false).Value),
            Fingerprint = unknown is null ? Chain(previous.Fingerprint!, ownDigest) : null,
            Unknown = unknown,
            Inputs = new InstructionInputs
            {
                Own = FingerprintWriter.Short(ownDigest),
                Text = FingerprintWriter.Short(text),
                Args = args.Count == 0 ? null : Shorten(args),
                Sources = sources.Count == 0 ? null : ShortenSources(sources),
                Files = entries.Count == 0 ? null : FileSummary.Of(entries),
            },
        };
    }

    /// <summary>An ARG's value in BuildKit's order: the build arg, the platform's own args, the default, the global ARG's value; null for none.</summary>
    private string? ArgValue(DockerfileArg arg, StageScope scope)
    {
        if (_options.BuildArgs.TryGetValue(arg.Name, out var given))
            return given;
        if (PlatformArg(arg.Name) is { } automatic)
            return automatic;
        if (arg.Default is { } fallback)
        {
            return DockerfileSubstitution.Expand(fallback, scope.Variables(), _dockerfile.EscapeCharacter).Value;
        }

        return _dockerfile.GlobalScope.TryGetValue(arg.Name, out var global) ? global : null;
    }

    /// <summary>TARGETPLATFORM, TARGETOS, … as BuildKit sets them for the target platform (built here on the same).</summary>
    private string? PlatformArg(string name)
    {
        var parts = _options.Platform.Split('/');
        return name switch
        {
            "TARGETPLATFORM" or "BUILDPLATFORM" => _options.Platform,
            "TARGETOS" or "BUILDOS" => parts[0],
            "TARGETARCH" or "BUILDARCH" => parts.Length > 1 ? parts[1] : "",
            "TARGETVARIANT" or "BUILDVARIANT" => parts.Length > 2 ? parts[2] : "",
            _ => null,
        };
    }

    /// <summary><c>ENV A=1 B="x y"</c>, or the old <c>ENV A value with spaces</c>, each value expanded as BuildKit does.</summary>
    private IEnumerable<(string Key, string Value)> EnvPairs(DockerfileInstruction instruction, IReadOnlyDictionary<string, string> scope, List<string> read)
    {
        var escape = _dockerfile.EscapeCharacter;
        var words = InstructionWords.Split(instruction.Arguments, escape);
        if (words.Count == 0)
            yield break;
        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            var rest = instruction.Arguments.Trim()[words[0].Length..].Trim();
            var expansion = DockerfileSubstitution.Expand(rest, scope, escape);
            read.AddRange(expansion.Variables);
            yield return (words[0], expansion.Value);
            yield break;
        }

        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var expansion = DockerfileSubstitution.Expand(word[(equals + 1)..], scope, escape);
            read.AddRange(expansion.Variables);
            yield return (word[..equals], expansion.Value);
        }
    }

    /// <summary>A COPY's or ADD's sources: another stage, an image, or context files. Returns why they can't be known, or null.</summary>
    private string? Copy(DockerfileInstruction instruction, StageScope scope, IReadOnlyDictionary<string, string> variables, SortedDictionary<string, string> sources, SortedDictionary<string, ContextEntry> taken)
    {
        var escape = _dockerfile.EscapeCharacter;
        if (instruction.Flag("from") is { Length: > 0 } from)
            return FromSource(DockerfileSubstitution.Expand(from, Merge(variables), escape).Value, sources, $"{instruction.Keyword} --from");

        var words = InstructionWords.Split(instruction.Arguments, escape);
        var heredocs = instruction.Heredocs.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var word in words.Take(Math.Max(0, words.Count - 1)))
        {
            if (word.StartsWith("<<", StringComparison.Ordinal) && heredocs.Count > 0)
                continue; // a heredoc: its body is part of the instruction's text
            var expansion = DockerfileSubstitution.Expand(word, variables, escape);
            var source = expansion.Value;
            if (instruction.Keyword == "ADD" && IsRemote(source))
                return $"ADD {source} fetches from the network when it runs: what it adds can't be known in advance";
            if (!scope.EnvironmentComplete && expansion.Variables.FirstOrDefault(v => !scope.Knows(v)) is { } unset)
                return $"the source '{word}' reads ${unset}, which the base image's environment may set";
            var resolved = _index.Resolve(source, allowWildcards: true, out var problem);
            foreach (var entry in resolved)
                taken.TryAdd(entry.Path, entry);
            if (problem is not null)
                return $"the context source '{source}' can't be read: {problem}";
        }

        return null;
    }

    private string? Mount(MountOption mount, IReadOnlyDictionary<string, string> variables, SortedDictionary<string, string> sources, SortedDictionary<string, ContextEntry> taken)
    {
        var escape = _dockerfile.EscapeCharacter;
        if (mount.From is { } from)
            return FromSource(DockerfileSubstitution.Expand(from, Merge(variables), escape).Value, sources, "RUN --mount from");
        var source = DockerfileSubstitution.Expand(mount.Source, variables, escape).Value;
        var resolved = _index.Resolve(source, allowWildcards: false, out var problem);
        foreach (var entry in resolved)
            taken.TryAdd(entry.Path, entry);
        return problem is null ? null : $"the bind-mounted context path '{source}' can't be read: {problem}";
    }

    /// <summary>A stage (by name or index) or an image to read from: its fingerprint or digest becomes an input.</summary>
    private string? FromSource(string reference, SortedDictionary<string, string> sources, string what)
    {
        var stage = int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number < _dockerfile.Stages.Count ? _dockerfile.Stages[number] : null
            : _dockerfile.FindStage(reference);
        if (stage is not null)
        {
            var (result, _) = Stage(stage.Index);
            sources["stage:" + result.Stage] = result.Fingerprint ?? "unknown";
            return result.Fingerprint is null ? $"{what}={reference}: stage {result.Stage} can't be known ({result.Unknown})" : null;
        }

        var identity = Image(reference);
        sources["image:" + reference] = identity.Digest ?? "unknown";
        return identity.Digest is null ? $"{what}={reference}: the image could not be resolved ({identity.Problem})" : null;
    }

    private ImageIdentity Image(string name)
    {
        if (_images.TryGetValue(name, out var identity))
            return identity;
        _missing.Add(name);
        return ImageIdentity.Unresolved(name, "not resolved");
    }

    /// <summary>URLs and git sources, as BuildKit tells them from local paths.</summary>
    public static bool IsRemote(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("git@", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("git://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("github.com/", StringComparison.OrdinalIgnoreCase);
    }

    // The global ARGs under the stage's variables: BuildKit reads --from with both.
    private Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> variables)
    {
        var merged = new Dictionary<string, string>(_dockerfile.GlobalScope, StringComparer.Ordinal);
        foreach (var (key, value) in variables)
            merged[key] = value;
        return merged;
    }

    private static string TextDigest(DockerfileInstruction instruction)
    {
        using var writer = new FingerprintWriter();
        writer.Add("text", instruction.Text);
        foreach (var heredoc in instruction.Heredocs)
        {
            writer.Add("heredoc", heredoc.Name)
                .Add("body", heredoc.Body)
                .Add("tabs", heredoc.RemovesLeadingTabs ? "strip" : "keep")
                .Add("expands", heredoc.Expands ? "yes" : "no");
        }

        return writer.Finish();
    }

    private static void AddArgs(FingerprintWriter writer, SortedDictionary<string, string?> args)
    {
        foreach (var (key, value) in args)
            writer.Add("arg:" + key, value);
    }

    private static SortedDictionary<string, string?> Shorten(SortedDictionary<string, string?> args) =>
        new(args.ToDictionary(a => a.Key, a => a.Value is null ? null : FingerprintWriter.Short(a.Value)), StringComparer.Ordinal);

    private static SortedDictionary<string, string> ShortenSources(SortedDictionary<string, string> sources) =>
        new(sources.ToDictionary(s => s.Key, s => s.Value == "unknown" ? s.Value : FingerprintWriter.Short(s.Value)), StringComparer.Ordinal);

    private static string Chain(string previous, string own)
    {
        using var writer = new FingerprintWriter();
        return writer.Add("previous", previous).Add("own", own).Finish();
    }
}
