using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Bbs.Etcd;

/// <summary>
/// The client's one retry policy: exponential backoff with jitter on transient failures
/// (<see cref="EtcdUnavailableException"/>, <see cref="EtcdDeadlineExceededException"/>), a few attempts.
/// Used for idempotent unary calls and for (re)opening watch and keep-alive streams; never for writes, whose
/// failure may hide a success.
/// </summary>
internal static class Retry
{
    public static ResiliencePipeline CreatePipeline(EtcdClientOptions options, ILogger logger)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<EtcdUnavailableException>(ex => !ex.WaitedForConnection).Handle<EtcdDeadlineExceededException>(),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                OnRetry = args =>
                {
                    logger.RetryingCall(args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>True for failures the pipeline retries.</summary>
    public static bool IsTransient(Exception ex) => ex is EtcdUnavailableException or EtcdDeadlineExceededException;
}
