using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

/// <summary>
/// Runs an image once and returns what it printed, over the engine API (Docker.DotNet, as the
/// engine does): Deploy needs no docker CLI either. DOCKER_HOST is honoured like the engine's.
/// </summary>
static class SampleContainer
{
    public static async Task<string> RunAsync(string image, CancellationToken cancellationToken = default)
    {
        var endpoint = new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock");
        string apiVersion;
        using (var probe = new DockerClientBuilder().WithEndpoint(endpoint).Build())
            apiVersion = (await probe.System.GetVersionAsync(cancellationToken)).APIVersion;

        using var client = new DockerClientBuilder().WithEndpoint(endpoint).WithApiVersion(new System.Version(apiVersion)).Build();
        var container = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters { Image = image, Labels = new Dictionary<string, string> { ["cachefrom.deploy"] = "true" } },
            cancellationToken);
        try
        {
            await client.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
            var exit = await client.Containers.WaitContainerAsync(container.ID, cancellationToken);
            using var logs = await client.Containers.GetContainerLogsAsync(
                container.ID, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken);
            var output = new StringBuilder(stdout).Append(stderr).ToString();
            if (exit.StatusCode != 0)
                throw new InvalidOperationException($"{image} exited with {exit.StatusCode}: {output}");
            return output;
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }
}
