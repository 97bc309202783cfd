using System.Diagnostics;
using CacheFrom.Resilience;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Reliability;

/// <summary>The retry policy on its own: defaults, validation, what counts as transient, backoff on an injected clock.</summary>
public sealed class RetryPolicyTests
{
    private static readonly RegistryOperation Push = new("push of 127.0.0.1:5000/app:main", "127.0.0.1:5000", AttemptLimit.Stall);

    [Test]
    public void The_defaults_are_three_retries_from_one_second_doubling_to_at_most_ten()
    {
        var options = new RetryOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(3));
            Assert.That(options.BaseDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.UseJitter, Is.True);
            Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.StallTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(options.Validate(), Is.Empty);
        });
    }

    [Test]
    public void Invalid_retry_options_are_reported_together_with_the_other_parameter_problems()
    {
        var options = new CacheFrom.Configuration.CacheFromOptions
        {
            Image = "127.0.0.1:5000/app",
            Tag = "main",
            Context = Path.GetTempPath(),
            DockerFile = "no-such.Dockerfile",
            Retry = new RetryOptions { MaxRetryAttempts = -1, StallTimeout = TimeSpan.Zero },
        };

        var exception = Assert.Throws<CacheFromConfigurationException>(() => CacheFrom.Configuration.CacheFromSettings.Resolve(options));

        Assert.That(exception!.Problems, Has.Some.Contains("MaxRetryAttempts").And.Some.Contains("StallTimeout").And.Some.Contains("no-such.Dockerfile"));
    }

    // What counts as transient, over the engines' own messages: Docker/RegistryErrorsTests.

    [Test]
    public void An_authentication_failure_is_never_transient_even_if_it_mentions_a_timeout() =>
        Assert.That(TransientFaults.IsTransient(new RegistryAuthenticationException("r", "login timed out")), Is.False);

    [Test]
    public async Task Transient_failures_are_retried_with_doubling_delays_on_the_injected_clock()
    {
        var time = new InstantTimeProvider();
        var log = new TestLogger();
        var options = new RetryOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3), UseJitter = false };
        var executor = new RetryExecutor(options, time, log.Logger);
        var calls = 0;
        var clock = Stopwatch.StartNew();

        var result = await executor.ExecuteAsync(Push, (_, _) =>
        {
            if (++calls < 4)
                throw new RegistryException("127.0.0.1:5000", "The push failed: registry 127.0.0.1:5000 is unreachable (connection reset).");
            return Task.FromResult("pushed");
        });

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo("pushed"));
            Assert.That(calls, Is.EqualTo(4));
            Assert.That(time.Delays, Is.EqualTo(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3) }), "the delays ran on the injected clock: " + string.Join(", ", time.Delays));
            Assert.That(log.Warnings, Has.Count.EqualTo(3).And.All.Contains("push of 127.0.0.1:5000/app:main"));
        });
        TestContext.Out.WriteLine($"6 s of backoff took {clock.Elapsed.TotalMilliseconds:0} ms of wall-clock time");
    }

    [Test]
    public void When_the_retries_run_out_the_last_failure_says_how_many_attempts_were_made()
    {
        var executor = new RetryExecutor(new RetryOptions { MaxRetryAttempts = 2 }, new InstantTimeProvider(), new TestLogger().Logger);

        var exception = Assert.ThrowsAsync<RegistryException>(() => executor.ExecuteAsync<string>(Push, (_, _) =>
            throw new RegistryException("127.0.0.1:5000", "The push failed: received unexpected HTTP status: 503 Service Unavailable.")));

        Assert.That(exception!.Message, Does.Contain("503 Service Unavailable").And.Contain("gave up after 3 attempts"));
    }

    [Test]
    public void An_authentication_failure_is_not_retried()
    {
        var calls = 0;
        var executor = new RetryExecutor(new RetryOptions(), new InstantTimeProvider(), new TestLogger().Logger);

        Assert.ThrowsAsync<RegistryAuthenticationException>(() => executor.ExecuteAsync<string>(Push, (_, _) =>
        {
            calls++;
            throw new RegistryAuthenticationException("127.0.0.1:5000", "The registry 127.0.0.1:5000 refused the push: unauthorized.");
        }));

        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public void The_callers_cancellation_passes_through_without_a_retry()
    {
        var calls = 0;
        using var cancellation = new CancellationTokenSource();
        var executor = new RetryExecutor(new RetryOptions(), new InstantTimeProvider(), new TestLogger().Logger);

        Assert.CatchAsync<OperationCanceledException>(() => executor.ExecuteAsync<string>(Push, async (_, token) =>
        {
            calls++;
            await cancellation.CancelAsync();
            token.ThrowIfCancellationRequested();
            return "never";
        }, cancellation.Token));

        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task A_transfer_that_keeps_sending_progress_is_not_cut_off_by_the_stall_timeout()
    {
        var time = new ManualTimeProvider();
        var options = new RetryOptions { StallTimeout = TimeSpan.FromSeconds(3), MaxRetryAttempts = 0 };
        var executor = new RetryExecutor(options, time, new TestLogger().Logger);
        var cancelled = false;

        var result = await executor.ExecuteAsync(Push, (heartbeat, token) =>
        {
            // 12 s in all, four times the stall timeout, but never 3 s without progress.
            for (var i = 0; i < 12; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                heartbeat();
                cancelled |= token.IsCancellationRequested;
            }

            return Task.FromResult("done");
        });

        Assert.That(result, Is.EqualTo("done"));
        Assert.That(cancelled, Is.False, "the attempt was never cut off");
    }

    [Test]
    [CancelAfter(10_000)]
    public void A_transfer_without_progress_is_cancelled_after_the_stall_timeout()
    {
        var time = new ManualTimeProvider();
        var options = new RetryOptions { StallTimeout = TimeSpan.FromSeconds(3), MaxRetryAttempts = 0 };
        var executor = new RetryExecutor(options, time, new TestLogger().Logger);
        var cancelledAt = TimeSpan.MinValue;

        var exception = Assert.ThrowsAsync<RegistryException>(() => executor.ExecuteAsync(Push, async (heartbeat, token) =>
        {
            heartbeat();
            time.Advance(TimeSpan.FromSeconds(2.9));
            Assert.That(token.IsCancellationRequested, Is.False, "cut off before the stall timeout");
            time.Advance(TimeSpan.FromSeconds(0.1));
            cancelledAt = token.IsCancellationRequested ? TimeSpan.FromSeconds(3) : cancelledAt;
            await Task.Delay(Timeout.Infinite, token);
            return "never";
        }));

        Assert.That(cancelledAt, Is.EqualTo(TimeSpan.FromSeconds(3)), "cancelled exactly when 3 s passed without progress");
        Assert.That(exception!.Message, Does.Contain("stalled: no progress from the engine for 3 s"));
    }
}
