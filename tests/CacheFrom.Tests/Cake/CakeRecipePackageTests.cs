using System.Security.Cryptography;
using System.Text;
using CacheFrom.Tests.Docker;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// The recipe as a user gets it: a build.cake of their own that loads the CacheFrom.Cake package,
/// whose #tool line installs the cachefrom tool of the same version. No second script, no #r.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class CakeRecipePackageTests
{
    private UserCakeProject _project = null!;

    [OneTimeSetUp]
    public async Task PackAndWriteTheUsersBuild() => _project = await UserCakeProject.CreateAsync("""
        Task("Deploy")
            .IsDependentOn(CacheFromRecipe.DockerPublish)
            .Does(() => Information("Deploying the image"));

        RunTarget(Argument("target", "Deploy"));
        """);

    [OneTimeTearDown]
    public void Delete() => _project.Dispose();

    [Test]
    public async Task A_BuildKit_secret_reaches_RUN_through_Cake_and_is_nowhere_in_the_output()
    {
        var secret = "cake-secret-" + Guid.NewGuid().ToString("N");
        using var context = new TemporaryContext(
            "FROM BASE\nRUN --mount=type=secret,id=token sha256sum < /run/secrets/token | cut -d' ' -f1 > /token.sha256\n");
        var image = TestEnvironment.UniqueLocalRepository("cake-secret");

        var result = await _project.RunAsync(
            new Dictionary<string, string> { ["CACHEFROM_TEST_TOKEN"] = secret },
            $"--docker-image={image}", "--docker-tag=secret", $"--docker-context={context.Directory}", "--docker-cache=none",
            "--docker-secrets=token=CACHEFROM_TEST_TOKEN", "--verbosity=diagnostic");
        var hash = (await DockerCli.CheckAsync("run", "--rm", $"{image}:secret", "cat", "/token.sha256")).Trim();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
            Assert.That(File.Exists(Path.Combine(_project.Directory, "tools", "cachefrom")), Is.True, "#tool installed the tool next to the script");
            Assert.That(result.Output, Does.Contain("Deploying the image"), "the user's task ran after DockerPublish");
            Assert.That(hash, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))), "RUN read the secret's bytes");
            Assert.That(result.Output, Does.Not.Contain(secret), "not even at diagnostic verbosity");
            Assert.That(File.ReadAllText(_project.RunRecordPath), Does.Not.Contain(secret));
        });
    }
}
