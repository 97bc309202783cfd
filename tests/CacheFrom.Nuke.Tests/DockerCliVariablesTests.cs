namespace CacheFrom.Nuke.Tests;

/// <summary>DOCKER_CONTEXT is the docker CLI's context name: docker-context must never take it as the build context.</summary>
public sealed class DockerCliVariablesTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "cachefrom-nuke-vars-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(_root, ".nuke"));
    }

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Given_DOCKER_CONTEXT_When_NUKE_resolved_docker_context_from_it_Then_it_is_ignored()
    {
        var context = DockerCliVariables.BuildContext("desktop-linux", _root, onCommandLine: false, Environment(("DOCKER_CONTEXT", "desktop-linux")));

        Assert.That(context, Is.Null);
    }

    [Test]
    public void Given_DOCKER_CONTEXT_When_parameters_json_names_a_context_Then_that_one_is_used()
    {
        File.WriteAllText(Path.Combine(_root, ".nuke", "parameters.json"), """{ "DockerContext": "samples/webapp" }""");

        var context = DockerCliVariables.BuildContext("default", _root, onCommandLine: false, Environment(("DOCKER_CONTEXT", "default")));

        Assert.That(context, Is.EqualTo("samples/webapp"));
    }

    [Test]
    public void Given_DOCKER_CONTEXT_and_NUKE_DOCKER_CONTEXT_Then_the_NUKE_variable_wins()
    {
        var context = DockerCliVariables.BuildContext(null, _root, onCommandLine: false, Environment(("DOCKER_CONTEXT", "default"), ("NUKE_DOCKER_CONTEXT", "app")));

        Assert.That(context, Is.EqualTo("app"));
    }

    [Test]
    public void Given_DOCKER_CONTEXT_When_docker_context_is_on_the_command_line_Then_the_argument_is_used()
    {
        var context = DockerCliVariables.BuildContext("default", _root, onCommandLine: true, Environment(("DOCKER_CONTEXT", "default")));

        Assert.That(context, Is.EqualTo("default"));
    }

    [Test]
    public void Given_no_DOCKER_CONTEXT_Then_the_resolved_value_is_kept()
    {
        var context = DockerCliVariables.BuildContext("samples/webapp", _root, onCommandLine: false, Environment());

        Assert.That(context, Is.EqualTo("samples/webapp"));
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
