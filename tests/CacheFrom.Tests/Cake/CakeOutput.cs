namespace CacheFrom.Tests.Cake;

/// <summary>
/// Reads what Cake prints: its tables (the task summary, <c>--description</c>), whose long cells wrap
/// onto continuation lines at the console's width, and its <c>--tree</c>.
/// </summary>
internal static class CakeOutput
{
    /// <summary>
    /// The rows of the table whose header names <paramref name="columns"/>, by its first column:
    /// each cell's text with its wrapped lines joined by one space.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Table(string output, params string[] columns)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindLastIndex(l => l.StartsWith("  " + columns[0], StringComparison.Ordinal) && columns.All(c => l.Contains(c, StringComparison.Ordinal)));
        Assert.That(header, Is.GreaterThanOrEqualTo(0), $"no table with the columns {string.Join(", ", columns)} in:{Environment.NewLine}{output}");
        var starts = columns.Select(c => lines[header].IndexOf(c, StringComparison.Ordinal)).ToArray();

        // Standard error is read with standard output, so one of its lines ("Error: …") can land
        // anywhere in the table: between the header and its rule, or between rows. Rows are indented.
        var rule = lines.FindIndex(header + 1, l => l.StartsWith('━'));
        Assert.That(rule, Is.GreaterThan(header), $"the table has no rule under its header in:{Environment.NewLine}{output}");
        var rows = new List<List<string>>();
        foreach (var line in lines.Skip(rule + 1))
        {
            if (line.StartsWith('━') || line.Trim().Length == 0)
                break;
            if (!line.StartsWith("  ", StringComparison.Ordinal))
                continue;
            var cells = starts.Select((start, i) => Cell(line, start, i + 1 < starts.Length ? starts[i + 1] : int.MaxValue)).ToArray();
            if (cells[0].Length > 0)
                rows.Add([.. cells]);
            else if (rows.Count > 0)
            {
                for (var i = 1; i < cells.Length; i++)
                    rows[^1][i] = string.Join(' ', new[] { rows[^1][i], cells[i] }.Where(c => c.Length > 0));
            }
        }

        return rows.ToDictionary(r => r[0], r => (IReadOnlyList<string>)r.Skip(1).ToList());
    }

    /// <summary>
    /// <c>--tree</c>'s tree as each task's children in the order printed (its dependencies in the order
    /// declared).
    /// </summary>
    public static (string Root, IReadOnlyDictionary<string, IReadOnlyList<string>> Children) Tree(string output)
    {
        var nodes = output.Split('\n')
            .Select(l => l.TrimEnd('\r', ' '))
            .Select(l => (Column: l.TakeWhile(c => c is ' ' or '│' or '├' or '└' or '─').Count(), Line: l))
            .Where(n => n.Column < n.Line.Length && char.IsLetter(n.Line[n.Column]))
            .Select(n => (n.Column, Name: n.Line[n.Column..]))
            .ToList();
        Assert.That(nodes, Is.Not.Empty, $"no tree in:{Environment.NewLine}{output}");

        // A task printed again (a dependency of several tasks) has the children it had the first time.
        var children = new Dictionary<string, List<string>>();
        var parents = new List<(int Column, string Name, bool First)>();
        foreach (var (column, name) in nodes)
        {
            parents.RemoveAll(p => p.Column >= column);
            if (parents.Count > 0 && parents[^1].First)
                children[parents[^1].Name].Add(name);
            parents.Add((column, name, children.TryAdd(name, [])));
        }

        return (nodes[0].Name, children.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Value));
    }

    private static string Cell(string line, int start, int end) =>
        start >= line.Length ? "" : line[start..Math.Min(end, line.Length)].Trim();
}
