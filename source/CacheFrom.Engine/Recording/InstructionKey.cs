using System.Text;

namespace CacheFrom.Recording;

/// <summary>
/// The identity of a Dockerfile instruction across runs: its stage, its text (whitespace
/// collapsed) and, for an instruction whose text repeats within the stage, its occurrence.
/// Deliberately not a hash of the preceding chain: a cache hit already proves the chain is
/// unchanged, and a changed instruction rebuilds and re-learns its cold duration in the same run.
/// </summary>
internal readonly record struct InstructionKey(string Stage, string Text, int Occurrence)
{
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
                builder.Append(' ');
            builder.Append(c);
            space = false;
        }

        return builder.ToString();
    }

    public override string ToString() => Occurrence == 1 ? $"{Stage}: {Text}" : $"{Stage}: {Text} (#{Occurrence})";
}
