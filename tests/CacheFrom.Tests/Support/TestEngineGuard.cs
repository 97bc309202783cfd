using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

[assembly: CacheFrom.Tests.Support.TestEngineGuard]

namespace CacheFrom.Tests.Support;

/// <summary>
/// Before every test in the <c>Docker</c> category: the engine it will build on, push from and
/// empty is a test engine (<see cref="TestEngine"/>), or the test fails without touching it. A test
/// that builds without emptying the engine would otherwise still fill the user's engine.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class TestEngineGuardAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        if (NeedsAnEngine(test))
            Task.Run(() => TestEngine.RequireAsync($"run the Docker test {test.Name}")).GetAwaiter().GetResult();
    }

    public void AfterTest(ITest test)
    {
    }

    private static bool NeedsAnEngine(ITest test)
    {
        for (ITest? node = test; node is not null; node = node.Parent)
        {
            if (node.Properties[PropertyNames.Category].OfType<string>().Contains("Docker", StringComparer.Ordinal))
                return true;
        }

        return false;
    }
}
