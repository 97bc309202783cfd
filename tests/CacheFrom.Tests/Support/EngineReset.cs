namespace CacheFrom.Tests.Support;

/// <summary>
/// Empties the engine the way a fresh CI runner starts: every container and image removed
/// except the base image, BuildKit's build cache pruned, and the classic builder's cache
/// (untagged intermediate images) gone with the images. Only ever a test engine of
/// scripts/engines.sh (<see cref="TestEngine"/>): any other engine is refused before anything is removed.
/// </summary>
internal static class EngineReset
{
    public static async Task EmptyAsync()
    {
        await TestEngine.RequireAsync($"empty the Docker engine at {Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "the default socket"}");

        var containers = Lines(await DockerCli.CheckAsync("ps", "-aq"));
        if (containers.Count > 0)
            await DockerCli.CheckAsync(["rm", "-f", .. containers]);

        var baseId = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{.Id}}", TestEnvironment.BaseImage)).Trim();
        // Children before parents: a few passes settle the order without computing it.
        for (var pass = 0; pass < 5; pass++)
        {
            var images = Lines(await DockerCli.CheckAsync("images", "-aq", "--no-trunc"))
                .Distinct()
                .Where(id => id != baseId)
                .ToList();
            if (images.Count == 0)
                break;
            await DockerCli.RunAsync(["rmi", "-f", .. images]);
        }

        await DockerCli.CheckAsync("builder", "prune", "-af");
        var left = Lines(await DockerCli.CheckAsync("images", "-aq", "--no-trunc")).Distinct().Where(id => id != baseId).ToList();
        Assert.That(left, Is.Empty, "the engine still holds images after emptying it");
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
