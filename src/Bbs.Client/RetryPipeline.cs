using Bbs.Models;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Bbs.Client;

/// <summary>
/// The client's one resilience pipeline: the Go client's retry loop (a fixed number of attempts, a fixed pause)
/// around an optional per-attempt timeout. Only failures without an answer are retried: transport errors,
/// attempt timeouts and bodies that do not decode. An answer, even an error or a 5xx, is final.
/// </summary>
internal static class RetryPipeline
{
    public static ResiliencePipeline Create(BbsClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.Retries > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<UndecodableResponseException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<TaskCanceledException>(static ex => ex.InnerException is TimeoutException),
                MaxRetryAttempts = options.Retries - 1,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                Delay = options.RetryDelay,
            });
        }

        // Added after the retry, so it bounds each attempt rather than the whole call.
        if (options.HasRequestTimeout)
        {
            builder.AddTimeout(options.RequestTimeout);
        }

        return builder.Build();
    }
}

/// <summary>A response body that did not decode; retried, then surfaced as InvalidProtobufMessage(6).</summary>
internal sealed class UndecodableResponseException(Error error, Exception innerException)
    : Exception(error.Message, innerException)
{
    public Error Error { get; } = error;
}
