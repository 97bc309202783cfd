using CacheFrom.Docker.Registry;
using Serilog;

namespace CacheFrom.Resilience;

/// <summary>
/// Runs a registry operation with bounded retries: each attempt is bounded by its
/// <see cref="AttemptDeadline"/>; a transient failure (<see cref="TransientFaults"/>) or an
/// expired attempt is retried after an exponential, jittered delay on the injected
/// <see cref="TimeProvider"/>; anything else, and the caller's cancellation, passes straight through.
/// When the retries run out, the last failure is thrown with how many attempts were made.
/// </summary>
internal sealed class RetryExecutor(RetryOptions options, TimeProvider time, ILogger logger)
{
    public async Task<T> ExecuteAsync<T>(
        RegistryOperation operation,
        Func<Action, CancellationToken, Task<T>> call,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(call);
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            RegistryException failure;
            using (var deadline = new AttemptDeadline(operation.Limit, options, time, cancellationToken))
            {
                try
                {
                    return await call(deadline.Heartbeat, deadline.Token).ConfigureAwait(false);
                }
                catch (RegistryException exception) when (!deadline.Expired && TransientFaults.IsTransient(exception))
                {
                    failure = exception;
                }
                catch (Exception exception) when (deadline.Expired && !cancellationToken.IsCancellationRequested && IsCausedByCancelling(exception))
                {
                    // Our limit cancelled the request; a cancelled request may surface as a cancellation or as a
                    // broken connection, and either way the cause is the limit. Real answers (a refused login) pass through.
                    failure = new RegistryException(operation.Registry, $"The {operation.Description} {deadline.Describe()}.", exception)
                    {
                        Kind = RegistryFailureKind.TimedOut,
                    };
                }
            }

            if (attempt > options.MaxRetryAttempts)
                throw GaveUp(operation, failure, attempt, time.GetElapsedTime(started));

            var delay = options.DelayBefore(attempt, Random.Shared.NextDouble());
            logger.Warning(
                "Transient failure in the {Operation} (attempt {Attempt} of {Attempts}); retrying in {Delay:0.0} s: {Reason}",
                operation.Description,
                attempt,
                options.MaxRetryAttempts + 1,
                delay.TotalSeconds,
                failure.Message);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsCausedByCancelling(Exception exception) =>
        exception is OperationCanceledException or DockerEngineUnavailableException
        || (exception is RegistryException registry && TransientFaults.IsTransient(registry));

    private static RegistryException GaveUp(RegistryOperation operation, RegistryException failure, int attempts, TimeSpan elapsed)
    {
        if (attempts == 1)
            return failure;
        var message = $"{failure.Message.TrimEnd('.')} (gave up after {attempts} attempts in {elapsed.TotalSeconds:0.0} s).";
        return new RegistryException(operation.Registry, message, failure) { Kind = failure.Kind };
    }
}
