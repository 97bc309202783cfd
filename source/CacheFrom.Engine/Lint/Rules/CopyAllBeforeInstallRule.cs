using CacheFrom.Dockerfiles;

namespace CacheFrom.Lint.Rules;

/// <summary>
/// <c>COPY . .</c> (the whole context) above a dependency install, where the context has the
/// manifest the install reads: any change to any file re-runs the install. Copying the manifests
/// first, installing, then copying the rest keeps the install cached until a manifest changes.
/// A build that installs as a side effect (<c>dotnet publish</c>) counts only when no explicit
/// install of the same ecosystem came before it.
/// </summary>
internal sealed class CopyAllBeforeInstallRule : ILintRule
{
    private const int ShownManifests = 4;

    public string Id => "copy-all-before-install";

    public IEnumerable<LintFinding> Check(LintInput input)
    {
        var states = new Dictionary<DockerfileStage, State>();
        var reported = new HashSet<int>();
        foreach (var stage in input.Stages)
        {
            // A stage built FROM an earlier one starts with its files and its installs.
            var state = input.BaseStage(stage) is { } parent && states.TryGetValue(parent, out var inherited) ? inherited.Copy() : new State();
            states[stage] = state;
            foreach (var instruction in stage.Instructions)
            {
                if (instruction.Keyword is "COPY" or "ADD" && state.WholeCopy is null && CopyArguments.Of(instruction).CopiesWholeContext)
                    state.WholeCopy = instruction;
                if (instruction.Keyword != "RUN")
                    continue;

                foreach (var install in InstallCommand.In(instruction))
                {
                    if (install.Implicit && state.Installed.Contains(install.Ecosystem))
                        continue;
                    if (!install.Implicit)
                        state.Installed.Add(install.Ecosystem);
                    if (state.WholeCopy is not { } copy || reported.Contains(copy.Line))
                        continue;
                    var manifests = input.Context.Manifests(install.Ecosystem);
                    if (!manifests.Any(m => install.Ecosystem.IsMarker(m[(m.LastIndexOf('/') + 1)..])))
                        continue;
                    reported.Add(copy.Line);
                    yield return Finding(input, copy, instruction, install, manifests);
                }
            }
        }
    }

    private LintFinding Finding(LintInput input, DockerfileInstruction copy, DockerfileInstruction run, InstallCommand install, IReadOnlyList<string> manifests)
    {
        var arguments = CopyArguments.Of(copy);
        var message = $"{LintInput.Quote(copy)} copies the whole context before {install.Command} (line {run.Line}), "
            + $"so a change to any file re-runs the {install.Ecosystem.Install}";
        var step = install.Implicit ? $"RUN {install.Ecosystem.Fetch}" : $"RUN {install.Command}";
        string copyFirst;
        if (manifests.All(m => !m.Contains('/', StringComparison.Ordinal)))
        {
            copyFirst = $"COPY {string.Join(' ', manifests.Take(ShownManifests))}{(manifests.Count > ShownManifests ? " …" : "")} {arguments.DestinationFolder}";
        }
        else
        {
            copyFirst = $"COPY each of {string.Join(", ", manifests.Take(ShownManifests))}{(manifests.Count > ShownManifests ? ", …" : "")} to the same path under {arguments.DestinationFolder}";
        }

        var fix = $"{copyFirst} first, then {step}, then {copy.Keyword} {arguments.WholeContextSource} {arguments.Destination} for the rest";
        return input.Finding(copy, Id, message, fix);
    }

    private sealed class State
    {
        public DockerfileInstruction? WholeCopy { get; set; }

        public HashSet<Ecosystem> Installed { get; private init; } = [];

        public State Copy() => new() { WholeCopy = WholeCopy, Installed = [.. Installed] };
    }
}
