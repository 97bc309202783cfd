using CacheFrom.Configuration;
using CacheFrom.Nuke;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.Tools.DotNet;
using Nuke.Common.Utilities;
using Nuke.Common.Utilities.Collections;
using Serilog;
using static Nuke.Common.Tools.DotNet.DotNetTasks;

/// <summary>
/// CacheFrom's own build dogfoods its NUKE components on the sample app (samples/webapp):
/// <c>Test</c> → <c>DockerPublish</c> (the component's targets) → <c>Deploy</c>. The defaults in
/// .nuke/parameters.json build it with the tarball cache and no registry: <c>./build.sh</c>.
/// </summary>
sealed class Build : NukeBuild, IDockerPublish
{
    public static int Main() => Execute<Build>(x => x.Deploy);

    const string Greeting = "hello from the CacheFrom sample";

    T From<T>()
        where T : INukeBuild
        => (T)(object)this;

    static AbsolutePath SampleDirectory => RootDirectory / "samples" / "webapp";

    static AbsolutePath EngineTestsProject => RootDirectory / "tests" / "CacheFrom.Tests" / "CacheFrom.Tests.csproj";

    /// <summary>
    /// The engine's tests that need no Docker engine: every test outside the Docker category. Those
    /// run in scripts/test.sh against test engines of their own, never against the engine this build
    /// publishes to (the user's).
    /// </summary>
    const string UnitTestFilter = "TestCategory!=Docker";

    [Parameter("Skip the engine's unit tests in Test (the sample's checks still run)")]
    readonly bool NoUnitTests;

    // Before the first Docker step when both run (./build.sh), so a broken sample or bad parameter
    // never reaches the engine; ./build.sh DockerPublish runs the component's targets alone.
    Target Test => _ => _
        .Description("Checks the sample app and the Docker parameters, then runs the engine's unit tests that need no Docker engine")
        .Before<IDockerPublish>(x => x.LoadTarball)
        .Executes(() =>
        {
            Assert.FileExists(SampleDirectory / "Dockerfile");
            Assert.FileExists(SampleDirectory / "app" / "run.sh");
            Assert.True(File.ReadAllText(SampleDirectory / "app" / "run.sh").Contains(Greeting, StringComparison.Ordinal),
                $"samples/webapp/app/run.sh no longer prints '{Greeting}', which Deploy checks");
            Assert.True(File.ReadAllText(SampleDirectory / "Dockerfile").Contains(" AS builder", StringComparison.Ordinal),
                "samples/webapp/Dockerfile has no builder stage: there is no multi-stage cache to show");

            // Every problem with the parameters at once, before Docker is touched.
            var settings = CacheFromSettings.Resolve(From<IHazDockerCache>().DockerCacheOptions);
            Log.Information("Publishing {Image} ({Cache} cache, {Builder})", settings.Image, settings.Cache, settings.Builder);

            if (!NoUnitTests)
            {
                DotNetTest(_ => _
                    .SetProjectFile(EngineTestsProject)
                    .SetFilter(UnitTestFilter));
            }
        });

    Target Deploy => _ => _
        .Description("Runs the published image and checks what it prints")
        .DependsOn(Test)
        .DependsOn<IDockerPublish>(x => x.DockerPublish)
        .Executes(async () =>
        {
            var settings = CacheFromSettings.Resolve(From<IHazDockerCache>().DockerCacheOptions);
            var output = await SampleContainer.RunAsync(settings.Image.ToString());
            Log.Information("{Image} printed: {Output}", settings.Image, output.Trim());
            Assert.True(output.Contains(Greeting, StringComparison.Ordinal), $"{settings.Image} did not print '{Greeting}'");
            ReportSummary(_ => _.AddPair("Output", output.Split('\n')[0].Trim()));
        });
}
