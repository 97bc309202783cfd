using System.Diagnostics;
using System.Text.RegularExpressions;
using CacheFrom.BuildKit.Session;
using CacheFrom.Docker;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary><c>RUN --mount=type=ssh</c>: the user's ssh-agent answers inside the build; no agent, a clear message.</summary>
[TestFixture]
public sealed partial class BuildKitSessionSshTests
{
    [Test]
    [Category("Docker")]
    public async Task Given_an_ssh_agent_holding_a_key_When_RUN_mounts_ssh_Then_the_agent_lists_the_key_inside_the_build()
    {
        if (!File.Exists("/usr/bin/ssh-agent") || !File.Exists("/usr/bin/ssh-add") || !File.Exists("/usr/bin/ssh-keygen"))
            Assert.Ignore("openssh-client (ssh-agent, ssh-add, ssh-keygen) is not installed");

        var comment = "cachefrom-ssh-" + Guid.NewGuid().ToString("N")[..8];
        var work = Path.Combine(Path.GetTempPath(), "cachefrom-ssh-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var socket = Path.Combine(work, "agent.sock");
        using var agent = Start("/usr/bin/ssh-agent", "-D", "-a", socket);
        string? context = null;
        try
        {
            await WaitForAsync(() => File.Exists(socket));
            await RunAsync("/usr/bin/ssh-keygen", [], "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", Path.Combine(work, "id"));
            await RunAsync("/usr/bin/ssh-add", [("SSH_AUTH_SOCK", socket)], Path.Combine(work, "id"));

            // The base image is busybox: bring ssh-add and its libraries along so a RUN can talk to the agent.
            var tools = await SshAddWithLibrariesAsync();
            // The context archive does not carry the exec bit of these files: the loader and ssh-add need it.
            var executables = string.Join(' ', tools.Keys.Select(k => k["sshtools".Length..]));
            context = Context($"""
                FROM BASE
                COPY sshtools/ /
                RUN chmod 755 {executables}
                RUN --mount=type=ssh ssh-add -l && ssh-add -l | grep -q "{comment}" && echo "agent answered"
                """, tools);

            var log = new TestLogger();
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            await using var session = await host.OpenAsync(Request(context, ssh: socket));
            var tag = TestEnvironment.UniqueLocalRepository("session-ssh") + ":latest";
            await engine.BuildAsync(Build(context, tag, session.Id));
            await DockerCli.RunAsync("rmi", "-f", tag);

            Assert.Multiple(() =>
            {
                Assert.That(log.AllText, Does.Contain(comment).And.Contain("agent answered"));
                Assert.That(session.Fault, Is.Null);
            });
        }
        finally
        {
            agent.Kill(entireProcessTree: true);
            if (context is not null)
                Delete(context);
            Delete(work);
        }
    }

    [Test]
    public void Given_no_ssh_agent_When_a_session_with_ssh_opens_Then_it_fails_saying_how_to_start_one()
    {
        var environment = new Dictionary<string, string?> { ["HOME"] = "/nonexistent" };

        var failure = Assert.Throws<CacheFromException>(() => BuildKitSessionHost.ResolveSsh("default", environment));

        Assert.That(failure!.Message, Does.Contain("SSH_AUTH_SOCK is not set").And.Contain("ssh-agent"));
    }

    [Test]
    public void Given_an_agent_socket_that_does_not_exist_When_a_session_with_ssh_opens_Then_it_names_the_path()
    {
        var failure = Assert.Throws<CacheFromException>(() =>
            BuildKitSessionHost.ResolveSsh("default", new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = "/tmp/no-such-agent.sock" }));

        Assert.That(failure!.Message, Does.Contain("/tmp/no-such-agent.sock"));
    }

    [Test]
    public void Given_docker_style_ssh_specs_When_resolved_Then_ids_map_to_sockets()
    {
        var socket = Path.GetTempFileName();
        try
        {
            var environment = new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket };

            Assert.Multiple(() =>
            {
                Assert.That(BuildKitSessionHost.ResolveSsh(null, environment), Is.Empty);
                Assert.That(BuildKitSessionHost.ResolveSsh("default", environment), Is.EquivalentTo(new Dictionary<string, string> { ["default"] = socket }));
                Assert.That(BuildKitSessionHost.ResolveSsh(socket, environment), Is.EquivalentTo(new Dictionary<string, string> { ["default"] = socket }));
                Assert.That(
                    BuildKitSessionHost.ResolveSsh($"default,deploy={socket}", environment),
                    Is.EquivalentTo(new Dictionary<string, string> { ["default"] = socket, ["deploy"] = socket }));
            });
        }
        finally
        {
            File.Delete(socket);
        }
    }

    private static async Task<Dictionary<string, byte[]>> SshAddWithLibrariesAsync()
    {
        var files = new Dictionary<string, byte[]> { ["sshtools/usr/bin/ssh-add"] = await File.ReadAllBytesAsync("/usr/bin/ssh-add") };
        var ldd = await RunAsync("/usr/bin/ldd", [], "/usr/bin/ssh-add");
        foreach (Match match in LibraryPath().Matches(ldd))
        {
            var path = match.Groups["path"].Value;
            files["sshtools" + path] = await File.ReadAllBytesAsync(path);
        }

        return files;
    }

    [GeneratedRegex(@"(?<path>/\S+\.so[.\d]*)")]
    private static partial Regex LibraryPath();

    private static Process Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
    }

    private static async Task<string> RunAsync(string file, (string Name, string Value)[] environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file} failed: {error}");
        return output;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(50);
        Assert.That(condition(), Is.True, "ssh-agent did not create its socket");
    }
}
