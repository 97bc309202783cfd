namespace CacheFrom;

/// <summary>Invalid parameters, found before anything touches Docker. Lists every problem at once.</summary>
public sealed class CacheFromConfigurationException : CacheFromException
{
    public CacheFromConfigurationException(IReadOnlyList<string> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? $"Invalid CacheFrom parameters: {problems[0]}."
            : "Invalid CacheFrom parameters:" + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"));
}
