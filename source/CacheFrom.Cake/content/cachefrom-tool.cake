using System.Text.RegularExpressions;
using System.Threading;

#nullable enable

/// <summary>Settings of a cachefrom call: Cake's own (ToolPath points at a cachefrom built elsewhere).</summary>
public sealed class CacheFromToolSettings : ToolSettings
{
}

/// <summary>
/// The cachefrom dotnet tool as a Cake tool: found the Cake way (ToolPath, else the tool that
/// <c>#tool dotnet:?package=CacheFrom.Tool</c> installed, else PATH) and run in Cake's working
/// directory with Cake's environment and the call's own variables (the tool reads DOCKER_* itself). Its output goes straight to
/// the console. Its errors are read as they come: a failing call ends with the tool's last error as
/// the CakeException (Cake prints "Error: …", no stack trace, and exits with the tool's exit code),
/// and the errors before it are logged; so each message is shown once.
/// </summary>
public sealed class CacheFromTool : Tool<CacheFromToolSettings>
{
    /// <summary>The tool's exit code for Ctrl+C (see docs/tool.md).</summary>
    public const int Cancelled = 130;

    private readonly ICakeContext _context;

    public CacheFromTool(ICakeContext context)
        : base(context.FileSystem, context.Environment, context.ProcessRunner, context.Tools)
    {
        _context = context;
    }

    /// <summary>Runs <c>cachefrom ARGUMENTS</c>; returns its standard output when <paramref name="captureOutput"/>, else nothing.</summary>
    public IReadOnlyList<string> Run(CacheFromToolSettings settings, string command, ProcessArgumentBuilder arguments, IDictionary<string, string> environment, bool captureOutput = false)
    {
        if (GetToolPath(settings) is null)
        {
            throw new CakeException(
                "CacheFrom: the cachefrom tool was not found. Load the recipe package (its #tool line installs the tool of the same version), "
                + "or point CacheFromRecipe.UseTool at a cachefrom executable.");
        }

        var errors = new CacheFromToolErrors(_context.Log);
        var processSettings = new ProcessSettings
        {
            WorkingDirectory = _context.Environment.WorkingDirectory,
            EnvironmentVariables = environment,
            RedirectStandardOutput = captureOutput,
            RedirectStandardError = true,
            RedirectedStandardErrorHandler = line =>
            {
                errors.Add(line);
                return null;
            },
        };

        using var interrupt = new CacheFromInterrupt();
        using var process = RunProcess(settings, arguments, processSettings);
        process.WaitForExit();
        var exitCode = process.GetExitCode();
        var output = captureOutput ? process.GetStandardOutput().ToList() : new List<string>();
        var message = errors.Finish(keepLast: exitCode != 0);
        if (exitCode == 0)
            return output;
        // Without a message the tool was ended before it could say why (a second Ctrl+C, a kill).
        message ??= exitCode == Cancelled || interrupt.Pressed
            ? $"cachefrom {command} was cancelled (Ctrl+C)"
            : $"cachefrom {command} failed with exit code {exitCode}";
        throw new CakeException(exitCode, message);
    }

    protected override string GetToolName() => "cachefrom";

    protected override IEnumerable<string> GetToolExecutableNames() => new[] { "cachefrom", "cachefrom.exe" };
}

/// <summary>
/// The tool's standard error, entry by entry (<c>[12:00:00 ERR] message</c>, continuation lines
/// included). The latest entry is held back: when the call fails it becomes the CakeException's
/// message instead of being printed as well; every earlier one is logged as it is replaced.
/// </summary>
public sealed class CacheFromToolErrors
{
    private static readonly Regex Ansi = new Regex(@"\x1b\[[0-9;?]*[A-Za-z]", RegexOptions.Compiled);
    private static readonly Regex Entry = new Regex(@"^\[\d{2}:\d{2}:\d{2} [A-Z]{3}\] ", RegexOptions.Compiled);
    private readonly ICakeLog _log;
    private readonly object _gate = new object();
    private readonly List<string> _held = new List<string>();

    public CacheFromToolErrors(ICakeLog log)
    {
        _log = log;
    }

    public void Add(string? line)
    {
        if (line is null)
            return;
        // The tool colours its log when its standard output is a terminal, standard error included.
        line = Ansi.Replace(line, "");
        lock (_gate)
        {
            if (Entry.IsMatch(line) || line.StartsWith("error: ", StringComparison.Ordinal))
                Flush();
            if (line.Length > 0 || _held.Count > 0)
                _held.Add(line);
        }
    }

    /// <summary>Logs what is held, or returns the latest entry's message (its text without the prefix) when <paramref name="keepLast"/>.</summary>
    public string? Finish(bool keepLast)
    {
        lock (_gate)
        {
            if (!keepLast || _held.Count == 0)
            {
                Flush();
                return null;
            }

            var first = Entry.Replace(_held[0], "");
            if (first.StartsWith("error: ", StringComparison.Ordinal))
                first = first.Substring("error: ".Length);
            var message = string.Join(Environment.NewLine, _held.Skip(1).Prepend(first)).TrimEnd();
            _held.Clear();
            return message.Length > 0 ? message : null;
        }
    }

    private void Flush()
    {
        foreach (var line in _held)
            _log.Write(Verbosity.Quiet, LogLevel.Error, "{0}", line);
        _held.Clear();
    }
}

/// <summary>
/// Ctrl+C while the tool runs. The terminal sends it to the whole process group, the tool too,
/// which stops the step in flight cleanly and exits 130; Cake must not end before it (its default),
/// so the first press is taken here and the call waits for the tool. A second press ends both.
/// </summary>
public sealed class CacheFromInterrupt : IDisposable
{
    private int _presses;

    public CacheFromInterrupt()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    public bool Pressed => Volatile.Read(ref _presses) > 0;

    public void Dispose() => Console.CancelKeyPress -= OnCancelKeyPress;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Interlocked.Increment(ref _presses) == 1)
            e.Cancel = true;
    }
}

#nullable restore
