using System.Net;

namespace Bbs.Peers;

/// <summary>
/// A call to a peer failed after its retries: the peer answered with an unexpected status
/// (<see cref="StatusCode"/> set), or could not be reached in time (<see cref="StatusCode"/> null, the cause in
/// <see cref="Exception.InnerException"/>). Cancellation by the caller is an <see cref="OperationCanceledException"/> instead.
/// </summary>
public abstract class PeerException : Exception
{
    protected PeerException(string message, HttpStatusCode? statusCode, Exception? innerException)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>The status the peer answered with; null when no answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// Whether another attempt may succeed: no answer, a timeout, 5xx, 408 or 429. Any other status means the
    /// request itself is refused and is not retried.
    /// </summary>
    public bool IsTransient => StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)StatusCode >= 500;
}

/// <summary>The auctioneer did not accept a batch of start requests (it answers 202 Accepted, and nothing else counts).</summary>
public sealed class AuctioneerClientException : PeerException
{
    public AuctioneerClientException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, statusCode, innerException)
    {
    }
}

/// <summary>A cell rep did not take a stop or cancel (it answers 202 Accepted; any 2xx is taken as success).</summary>
public sealed class RepClientException : PeerException
{
    public RepClientException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, statusCode, innerException)
    {
    }
}
