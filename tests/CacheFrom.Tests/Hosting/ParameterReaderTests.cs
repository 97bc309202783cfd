using CacheFrom.Configuration;
using CacheFrom.Hosting;

namespace CacheFrom.Tests.Hosting;

public sealed class ParameterReaderTests
{
    private static readonly string WorkingDirectory = Path.GetTempPath();

    private static CacheFromOptions Read(Dictionary<string, string[]> given, Dictionary<string, string?>? environment = null, Dictionary<string, string>? defaults = null) =>
        ParameterReader.Read(new FakeParameterSource(given), WorkingDirectory, environment ?? [], defaults);

    [Test]
    public void A_given_value_wins_over_the_environment_which_wins_over_a_host_default()
    {
        var fromArgument = Read(new() { ["docker-tag"] = ["arg"] }, new() { ["DOCKER_TAG"] = "env" }, new() { ["docker-tag"] = "default" });
        var fromEnvironment = Read([], new() { ["DOCKER_TAG"] = "env" }, new() { ["docker-tag"] = "default" });
        var fromDefault = Read([], [], new() { ["docker-tag"] = "default" });
        var none = Read([]);

        Assert.Multiple(() =>
        {
            Assert.That(fromArgument.Tag, Is.EqualTo("arg"));
            Assert.That(fromEnvironment.Tag, Is.EqualTo("env"));
            Assert.That(fromDefault.Tag, Is.EqualTo("default"));
            Assert.That(none.Tag, Is.Null, "the engine's default applies later");
        });
    }

    [Test]
    public void The_build_context_is_never_read_from_DOCKER_CONTEXT_the_docker_CLIs_context_name()
    {
        var options = Read([], new() { ["DOCKER_CONTEXT"] = "desktop-linux" });

        Assert.Multiple(() =>
        {
            Assert.That(options.Context, Is.Null);
            Assert.That(CacheFromParameterTable.Context.EnvironmentVariable, Is.Null);
        });
    }

    [Test]
    public void Bare_flags_mean_true_for_a_switch_the_default_agent_for_ssh_and_an_empty_list_for_a_list()
    {
        var options = Read(new() { ["docker-push"] = [], ["docker-ssh"] = [""], ["docker-cache-fallback"] = [], ["docker-tag"] = [] });

        Assert.Multiple(() =>
        {
            Assert.That(options.Push, Is.True);
            Assert.That(options.Ssh, Is.EqualTo("default"));
            Assert.That(options.CacheFallback, Is.Empty, "no fallback tags at all, not the default ones");
            Assert.That(options.Tag, Is.Null, "a bare text parameter is as if not given");
        });
    }

    [Test]
    public void Tag_lists_split_on_whitespace_and_commas_but_build_args_keep_their_spaces()
    {
        var options = Read(
            new() { ["docker-cache-fallback"] = ["main,release", "v1 v2"], ["docker-build-args"] = ["GREETING=hello world", "A=1"] },
            new() { ["DOCKER_SECRETS"] = "one=ONE two=TWO", ["ONE"] = "1", ["TWO"] = "2" });

        Assert.Multiple(() =>
        {
            Assert.That(options.CacheFallback, Is.EqualTo(new[] { "main", "release", "v1", "v2" }));
            Assert.That(options.BuildArgs, Is.EquivalentTo(new Dictionary<string, string> { ["GREETING"] = "hello world", ["A"] = "1" }));
            Assert.That(options.Secrets.Select(s => s.Id), Is.EqualTo(new[] { "one", "two" }), "an environment value splits on whitespace, as NUKE splits it");
        });
    }

    [Test]
    public void A_bare_build_arg_takes_its_value_from_the_hosts_environment()
    {
        var options = Read(new() { ["docker-build-args"] = ["VERSION"] }, new() { ["VERSION"] = "1.2.3" });

        Assert.That(options.BuildArgs["VERSION"], Is.EqualTo("1.2.3"));
    }

    [Test]
    public void Credentials_pair_up_and_one_without_the_other_is_a_problem()
    {
        var paired = Read(new() { ["docker-username"] = ["ci"], ["docker-password"] = ["s3cret"] });
        var exception = Assert.Throws<CacheFromConfigurationException>(() => Read(new() { ["docker-username"] = ["ci"] }));

        Assert.Multiple(() =>
        {
            Assert.That(paired.Credentials?.Username, Is.EqualTo("ci"));
            Assert.That(exception!.Problems, Has.Some.Contains("docker-username and docker-password go together"));
        });
    }

    [Test]
    public void Every_problem_is_listed_at_once_including_what_the_settings_find()
    {
        var exception = Assert.Throws<CacheFromConfigurationException>(() => Read(new()
        {
            ["docker-image"] = ["Bad:Image"],
            ["docker-cache"] = ["sometimes"],
            ["docker-push"] = ["maybe"],
            ["docker-password"] = ["alone"],
        }));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Problems, Has.Count.EqualTo(5), string.Join(" | ", exception.Problems));
            Assert.That(exception.Problems, Has.Some.StartsWith("docker-file '"), "the working directory holds no Dockerfile");
            Assert.That(exception.Problems, Has.Some.StartsWith("docker-cache 'sometimes'"));
            Assert.That(exception.Problems, Has.Some.StartsWith("docker-push 'maybe'"));
            Assert.That(exception.Problems, Has.Some.StartsWith("docker-image 'Bad:Image'"));
            Assert.That(exception.Message, Does.Not.Contain("alone"), "a secret never reaches a message");
        });
    }
}
