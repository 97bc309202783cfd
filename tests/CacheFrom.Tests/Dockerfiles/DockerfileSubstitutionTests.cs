using CacheFrom.Dockerfiles;

namespace CacheFrom.Tests.Dockerfiles;

public sealed class DockerfileSubstitutionTests
{
    private static readonly Dictionary<string, string> Scope = new()
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
        ["OTHER"] = "other",
    };

    [TestCase("$SET", "value")]
    [TestCase("${SET}x", "valuex")]
    [TestCase("$SET-x", "value-x")]
    [TestCase("$UNSET", "")]
    [TestCase("${UNSET:-d}", "d")]
    [TestCase("${EMPTY:-d}", "d")]
    [TestCase("${EMPTY-d}", "")]
    [TestCase("${UNSET-d}", "d")]
    [TestCase("${SET:-d}", "value")]
    [TestCase("${SET:+a}", "a")]
    [TestCase("${EMPTY:+a}", "")]
    [TestCase("${EMPTY+a}", "a")]
    [TestCase("${UNSET+a}", "")]
    [TestCase("${UNSET:-$OTHER}", "other")]
    [TestCase("${UNSET:-${OTHER}/x}", "other/x")]
    [TestCase("'$SET'", "$SET")]
    [TestCase("\"$SET a\"", "value a")]
    [TestCase("\\$SET", "$SET")]
    [TestCase("$", "$")]
    [TestCase("a$1b", "a$1b")]
    public void Variables_expand_as_in_buildkit(string text, string expected)
    {
        Assert.That(DockerfileSubstitution.Expand(text, Scope).Value, Is.EqualTo(expected));
    }

    [TestCase("${SET:-$OTHER} $UNSET", new[] { "SET", "UNSET" })]
    [TestCase("${UNSET:-$OTHER}", new[] { "UNSET", "OTHER" })]
    [TestCase("${SET:+$OTHER}", new[] { "SET", "OTHER" })]
    [TestCase("'$SET' $SET $SET", new[] { "SET" })]
    [TestCase("plain", new string[0])]
    public void An_expansion_reports_the_variables_it_read(string text, string[] expected)
    {
        Assert.That(DockerfileSubstitution.Expand(text, Scope).Variables, Is.EqualTo(expected));
    }

    [Test]
    public void Quotes_can_be_kept()
    {
        Assert.That(DockerfileSubstitution.Expand("\"$SET\" '$SET'", Scope, removeQuotes: false).Value, Is.EqualTo("\"value\" '$SET'"));
    }

    [Test]
    public void A_backtick_escape_protects_a_dollar()
    {
        Assert.That(DockerfileSubstitution.Expand("`$SET \\x", Scope, escape: '`').Value, Is.EqualTo("$SET \\x"));
    }
}
