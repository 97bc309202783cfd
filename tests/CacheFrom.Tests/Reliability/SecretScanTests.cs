using System.Text;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>The secret scan the credential tests rely on finds a password however the engine API or a config file encodes it.</summary>
public sealed class SecretScanTests
{
    private const string Password = "pw-3f9c1e2ab7d0";

    public static IEnumerable<TestCaseData> Leaks()
    {
        var authJson = $$"""{"username":"ci","password":"{{Password}}","serveraddress":"127.0.0.1:5000"}""";
        yield return new TestCaseData($"login with {Password} failed").SetName("in clear");
        yield return new TestCaseData($"X-Registry-Auth: {UrlSafe(authJson)}").SetName("inside a URL-safe base64 X-Registry-Auth header");
        var config = "{\"127.0.0.1:5000\":" + authJson + "}";
        yield return new TestCaseData($"X-Registry-Config: {Base64(config)}").SetName("inside a base64 X-Registry-Config header");
        yield return new TestCaseData($$"""{ "auths": { "127.0.0.1:5000": { "auth": "{{Base64("ci:" + Password)}}" } } }""").SetName("in a config.json auth");
        var nested = "{\"auths\":{\"r\":{\"auth\":\"" + Base64("ci:" + Password) + "\"}}}";
        yield return new TestCaseData(Base64(nested)).SetName("base64 inside base64");
        yield return new TestCaseData($"\"password\":\"{Password.Replace("-", "\\u002d", StringComparison.Ordinal)}\"").SetName("JSON-escaped");
    }

    [TestCaseSource(nameof(Leaks))]
    public void A_password_is_found(string text) => Assert.That(SecretScan.Contains(text, Password), Is.True);

    [Test]
    public void Text_without_the_password_is_clean() =>
        Assert.That(SecretScan.Contains($"X-Registry-Auth: {UrlSafe("""{"username":"ci","password":"other"}""")} pushed 127.0.0.1:5000/app", Password), Is.False);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string UrlSafe(string text) => Base64(text).Replace('+', '-').Replace('/', '_').TrimEnd('=');
}
