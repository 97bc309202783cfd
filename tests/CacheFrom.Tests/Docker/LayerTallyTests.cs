using CacheFrom.Docker.Registry;
using Docker.DotNet.Models;

namespace CacheFrom.Tests.Docker;

public sealed class LayerTallyTests
{
    [Test]
    public void Given_the_containerd_store_repeating_Waiting_for_a_stalled_push_Then_only_the_first_status_of_each_layer_is_progress()
    {
        var tally = new LayerTally();

        var news = new List<bool> { tally.Apply(Status("The push refers to repository [127.0.0.1:5000/app]")) };
        for (var i = 0; i < 5; i++)
        {
            news.Add(tally.Apply(Status("Waiting", "c03cd9b3414d")));
            news.Add(tally.Apply(Status("Waiting", "d39be6b59772")));
        }

        Assert.That(news, Is.EqualTo(new[] { true, true, true, false, false, false, false, false, false, false, false }));
    }

    [Test]
    public void Moving_bytes_and_a_new_status_are_progress_and_the_same_byte_count_again_is_not()
    {
        var tally = new LayerTally();

        Assert.Multiple(() =>
        {
            Assert.That(tally.Apply(Status("Pushing", "layer", current: 100, total: 1000)), Is.True);
            Assert.That(tally.Apply(Status("Pushing", "layer", current: 100, total: 1000)), Is.False, "nothing moved");
            Assert.That(tally.Apply(Status("Pushing", "layer", current: 600, total: 1000)), Is.True);
            Assert.That(tally.Apply(Status("Pushed", "layer")), Is.True);
            Assert.That(tally.Bytes, Is.EqualTo(1000));
            Assert.That(tally.LayersDone, Is.EqualTo(1));
        });
    }

    private static JSONMessage Status(string status, string? id = null, long? current = null, long? total = null) => new()
    {
        Status = status,
        ID = id,
        Progress = current is null ? null : new JSONProgress { Current = current, Total = total },
    };
}
