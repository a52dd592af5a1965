using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Bbs.Peers;

/// <summary>
/// The peers' one resilience pipeline: a deadline per attempt inside exponential-backoff retries with jitter.
/// Retried: no answer (<see cref="HttpRequestException"/>), an attempt past its deadline, and transient statuses
/// (<see cref="PeerException.IsTransient"/>). Only used for calls that are safe to repeat: an auction request for an
/// instance already placed is ignored by the cells, and stop and cancel are idempotent on the rep.
/// </summary>
internal static class PeerResilience
{
    public static ResiliencePipeline Create(string peer, TimeSpan attemptTimeout, int maxRetries, TimeSpan baseDelay, PeerMetrics metrics, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder();
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<PeerException>(e => e.IsTransient),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                OnRetry = args =>
                {
                    metrics.Retried(peer);
                    logger.RetryingPeerCall(peer, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            });
        }

        return builder.AddTimeout(attemptTimeout).Build();
    }

    /// <summary>True for a failure of the peer (as opposed to a bug or the caller's cancellation), once retries are spent.</summary>
    public static bool IsPeerFailure(Exception ex) => ex is HttpRequestException or TimeoutRejectedException;
}
