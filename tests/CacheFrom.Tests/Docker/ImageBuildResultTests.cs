using CacheFrom.Docker.Build;

namespace CacheFrom.Tests.Docker;

/// <summary>A build run again after a failure at its export: whose image, whose work.</summary>
public sealed class ImageBuildResultTests
{
    private static readonly BuildInstruction[] FirstAttempt =
    [
        new("builder", "WORKDIR /src", Cached: true, TimeSpan.Zero),
        new("builder", "RUN make", Cached: false, TimeSpan.FromSeconds(12)),
    ];

    [Test]
    public void A_build_run_again_after_its_export_failed_keeps_the_first_attempts_work_and_its_own_image()
    {
        var retry = new ImageBuildResult("sha256:second", [FirstAttempt[0], FirstAttempt[1] with { Cached = true, Duration = TimeSpan.Zero }]);

        var result = retry.RetriedAfter(FirstAttempt);

        Assert.Multiple(() =>
        {
            Assert.That(result.ImageId, Is.EqualTo("sha256:second"));
            Assert.That(result.Instructions.Select(i => (i.Cached, i.Duration)), Is.EqualTo(new[] { (true, TimeSpan.Zero), (false, TimeSpan.FromSeconds(12)) }));
        });
    }

    [Test]
    public void A_first_attempt_that_reported_other_instructions_leaves_the_retry_as_it_is()
    {
        var retry = new ImageBuildResult("sha256:second", [FirstAttempt[0], new("builder", "RUN make install", Cached: true, TimeSpan.Zero)]);

        Assert.Multiple(() =>
        {
            Assert.That(retry.RetriedAfter(FirstAttempt), Is.SameAs(retry));
            Assert.That(retry.RetriedAfter([]), Is.SameAs(retry), "nothing reported before the failure");
        });
    }
}
