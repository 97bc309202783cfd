using System.Diagnostics;

namespace CacheFrom.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a temporary directory: a tarball store that fills up, or (remounted
/// read-only) one that cannot be written — root ignores file modes, a read-only mount it cannot.
/// Needs root (CAP_SYS_ADMIN): as root (CI, the dev machines) a mount that fails fails the test;
/// only a non-root run ignores it, with the reason. Disposing unmounts.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public static TmpfsMount Create(long sizeBytes)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("cachefrom-tmpfs-").FullName;
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", directory);
        if (code != 0)
        {
            System.IO.Directory.Delete(directory);
            if (!Environment.IsPrivilegedProcess)
                Assert.Ignore($"cannot mount a tmpfs here (needs root/CAP_SYS_ADMIN): {error}");
            Assert.Fail($"mounting a tmpfs as root failed: {error}");
        }

        return new TmpfsMount(directory);
    }

    public void MakeReadOnly()
    {
        var (code, error) = Run("mount", "-o", "remount,ro", Directory);
        Assert.That(code, Is.Zero, $"remount read-only failed: {error}");
    }

    public void Dispose()
    {
        var (code, error) = Run("umount", Directory);
        if (code != 0)
        {
            TestContext.Progress.WriteLine($"umount {Directory} failed ({error}); detaching it lazily");
            Run("umount", "-l", Directory);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Still busy for a moment; an empty directory in /tmp.
        }
    }

    private static (int Code, string Error) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            return (-1, $"{file} did not finish within 30 s");
        }

        return (process.ExitCode, error.Trim());
    }
}
