using CacheFrom.Hosting;

namespace CacheFrom.Tests.Hosting;

/// <summary>Pins the contract's spelling: what users type and what their CI sets.</summary>
public sealed class ParameterTableTests
{
    [Test]
    public void Every_parameter_is_spelled_docker_something_with_its_environment_variable_and_NUKE_member_derived_from_it()
    {
        Assert.That(CacheFromParameterTable.All, Has.Count.EqualTo(19));
        Assert.Multiple(() =>
        {
            foreach (var parameter in CacheFromParameterTable.All)
            {
                Assert.That(parameter.Name, Does.Match("^docker(-[a-z]+)+$"));
                Assert.That(parameter.Description, Is.Not.Empty);
                Assert.That(parameter.DefaultText, Is.Not.Empty);
                if (parameter != CacheFromParameterTable.Context)
                    Assert.That(parameter.EnvironmentVariable, Is.EqualTo(parameter.Name.ToUpperInvariant().Replace('-', '_')));
            }
        });
        Assert.Multiple(() =>
        {
            Assert.That(CacheFromParameterTable.CacheDir.MemberName, Is.EqualTo("CacheDir"));
            Assert.That(CacheFromParameterTable.CacheFallback.MemberName, Is.EqualTo("CacheFallback"));
            Assert.That(CacheFromParameterTable.All.Select(p => p.Name), Is.Unique);
        });
    }

    [Test]
    public void No_parameter_reads_a_variable_docker_itself_reads_with_another_meaning()
    {
        string[] docker = ["DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_BUILDKIT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CONTEXT", "DOCKER_API_VERSION"];

        Assert.That(CacheFromParameterTable.All.Select(p => p.EnvironmentVariable).OfType<string>(), Has.None.AnyOf(docker));
    }

    [Test]
    public void Only_the_registry_credentials_are_secrets()
    {
        Assert.That(CacheFromParameterTable.All.Where(p => p.IsSecret).Select(p => p.Name), Is.EqualTo(new[] { "docker-password" }));
    }

    [Test]
    public void The_steps_are_the_contracts_targets_with_their_verbs_in_DockerPublish_order()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CacheFromStepTable.All.Select(s => s.Name), Is.EqualTo(new[]
            {
                "LoadTarball", "ResolveCache", "BuildBuilderStage", "BuildFinalStage", "PushAll", "SaveTarball", "DockerPublish", "PruneCache",
            }));
            Assert.That(CacheFromStepTable.All.Select(s => s.Verb), Is.EqualTo(new[]
            {
                "load-tarball", "resolve-cache", "build-builder-stage", "build-final-stage", "push-all", "save-tarball", "publish", "prune",
            }));
            Assert.That(CacheFromStepTable.DockerPublish.DependsOn, Is.EqualTo(CacheFromStepTable.All.Where(s => s.Step is not null).Select(s => s.Name)));
            Assert.That(CacheFromStepTable.All.SelectMany(s => s.DependsOn.Concat(s.After)), Has.All.AnyOf(CacheFromStepTable.All.Select(s => s.Name).ToArray()));
        });
    }
}
