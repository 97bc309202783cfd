using System.Security.Cryptography;
using System.Text;
using CacheFrom.Configuration;
using CacheFrom.Docker;
using CacheFrom.Tests.Support;
using static CacheFrom.Tests.Session.SessionTestSupport;

namespace CacheFrom.Tests.Session;

/// <summary><c>RUN --mount=type=secret</c> through the session: the right bytes arrive, and the value shows up nowhere.</summary>
[TestFixture]
[Category("Docker")]
public sealed class BuildKitSessionSecretsTests
{
    [Test]
    public async Task Given_a_file_and_an_environment_secret_When_RUN_mounts_them_Then_they_receive_the_right_bytes_and_no_output_holds_them()
    {
        var fileSecret = "file-secret-" + Guid.NewGuid().ToString("N");
        var envSecret = "env-secret-" + Guid.NewGuid().ToString("N");
        var variable = "CACHEFROM_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, envSecret);
        var context = Context($"""
            FROM BASE
            RUN --mount=type=secret,id=token test "$(sha256sum < /run/secrets/token | cut -d' ' -f1)" = "{Sha256(fileSecret)}" && echo "file secret ok"
            RUN --mount=type=secret,id=envtoken test "$(sha256sum < /run/secrets/envtoken | cut -d' ' -f1)" = "{Sha256(envSecret)}" && echo "env secret ok"
            RUN echo "no secret in this layer" > /done.txt
            """);
        var secretsDirectory = Path.Combine(context, "..", Path.GetFileName(context) + "-secrets");
        Directory.CreateDirectory(secretsDirectory);
        await File.WriteAllTextAsync(Path.Combine(secretsDirectory, "token.txt"), fileSecret);
        var log = new TestLogger();
        var tag = TestEnvironment.UniqueLocalRepository("session-secret") + ":latest";
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            // Relative file paths start at the working directory, as with --docker-secrets on the command line.
            var secrets = new[]
            {
                new BuildSecret("token", BuildSecretSource.File, Path.Combine("..", Path.GetFileName(secretsDirectory), "token.txt")),
                new BuildSecret("envtoken", BuildSecretSource.EnvironmentVariable, variable),
            };
            await using var session = await host.OpenAsync(Request(context, secrets: secrets));
            var result = await engine.BuildAsync(Build(context, tag, session.Id));

            var history = await DockerCli.CheckAsync("history", "--no-trunc", tag);
            var inspect = await DockerCli.CheckAsync("image", "inspect", tag);
            Assert.Multiple(() =>
            {
                Assert.That(result.Instructions.Count(i => i.Text.StartsWith("RUN", StringComparison.Ordinal)), Is.EqualTo(3));
                Assert.That(log.AllText, Does.Contain("file secret ok").And.Contain("env secret ok"), "both RUN steps saw the right bytes");
                Assert.That(log.AllText, Does.Contain("Served secret \"token\""));
                foreach (var value in new[] { fileSecret, envSecret })
                {
                    Assert.That(log.AllText, Does.Not.Contain(value), "the log holds a secret");
                    Assert.That(history, Does.Not.Contain(value), "the image history holds a secret");
                    Assert.That(inspect, Does.Not.Contain(value), "the image config holds a secret");
                }

                Assert.That(session.Fault, Is.Null);
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            await DockerCli.RunAsync("rmi", "-f", tag);
            Delete(context);
            Delete(secretsDirectory);
        }
    }

    [Test]
    public async Task Given_a_secret_the_build_was_not_given_When_RUN_mounts_it_Then_the_build_fails_naming_it()
    {
        var context = Context("""
            FROM BASE
            RUN --mount=type=secret,id=missing,required=true cat /run/secrets/missing
            """);
        var log = new TestLogger();
        try
        {
            await using var engine = await DockerEngine.ConnectAsync(null, log.Logger);
            await using var host = Host(log);
            await using var session = await host.OpenAsync(Request(context));

            var failure = Assert.ThrowsAsync<ImageBuildFailedException>(() =>
                engine.BuildAsync(Build(context, TestEnvironment.UniqueLocalRepository("session-missing") + ":latest", session.Id)));

            Assert.That(failure!.Message, Does.Contain("missing"));
            Assert.That(log.Warnings, Has.Some.Contains("secret \"missing\"").And.Some.Contains("docker-secrets"));
        }
        finally
        {
            Delete(context);
        }
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
