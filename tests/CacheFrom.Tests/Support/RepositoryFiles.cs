namespace CacheFrom.Tests.Support;

/// <summary>The repository the tests were built from: its root and its files, for tests that check the sources themselves.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RootDirectory => Root.Value;

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(RootDirectory, relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CacheFrom.Nuke.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("The tests run outside the repository: no CacheFrom.Nuke.sln above " + TestContext.CurrentContext.TestDirectory);
    }
}
