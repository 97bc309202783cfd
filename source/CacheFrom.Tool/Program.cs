using System.CommandLine;
using CacheFrom.Tool;
using CacheFrom.Tool.CommandLine;

var parse = ToolCommands.Create().Parse(args);
if (parse.Errors.Count > 0)
{
    // A usage error is bad input like any other: one message each, exit code 2, no help dump.
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("See 'cachefrom --help'.");
    return ExitCodes.InvalidInput;
}

// Ctrl+C is the run's own (ConsoleCancellation): the parser must not end the process on it.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
return await parse.InvokeAsync(invocation).ConfigureAwait(false);
